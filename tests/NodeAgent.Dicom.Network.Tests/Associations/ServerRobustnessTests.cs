using NodeAgent.Dicom.Network.Client;
using NodeAgent.Dicom.Network.Pdus;
using NodeAgent.Dicom.Network.Tests.Support;

namespace NodeAgent.Dicom.Network.Tests.Associations;

/// <summary>The server under a stream of mutated PDUs: every connection ends cleanly and the next client is served.</summary>
public class ServerRobustnessTests
{
    [Test]
    public async Task Garbage_from_many_clients_never_stops_the_server()
    {
        await using var server = LoopbackServer.Start();
        var random = new Random(7);
        var valid = PduCodec.Encode(new AssociateRequestPdu("NODEAGENT", "FUZZ", [new PresentationContextProposal(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian])], new UserInformation()));
        for (var i = 0; i < 80; i++)
        {
            var bytes = valid.ToArray();
            for (var m = 0; m < 1 + random.Next(6); m++)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            await using var client = await ScriptedPeer.ConnectAsync(server.Port);
            await client.SendRawAsync(bytes[..random.Next(1, bytes.Length + 1)]);
            // Whatever the server answers (accept, reject, abort) or if it waits, the next client must still be served.
            await client.ReadAsync(TimeSpan.FromMilliseconds(30)).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        var echo = new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = server.Port, CalledAeTitle = "NODEAGENT", Resilience = DicomResilienceOptions.Interactive }, new DicomPeerRegistry());
        Assert.That(await echo.EchoAsync(), Is.GreaterThan(TimeSpan.Zero));
    }
}
