using System.Diagnostics;
using System.Globalization;
using NodeAgent.Dicom;
using NodeAgent.Dicom.IO;
using NodeAgent.Dicom.Network.Client;
using NodeAgent.Testing.Peers;

namespace NodeAgent.Tests.Cli;

/// <summary><c>nodeagent pacs listen</c> as the process a service manager runs: it stops cleanly on SIGTERM.</summary>
[Platform(Exclude = "Win", Reason = "SIGTERM is sent with kill(1).")]
public class ListenProcessTests
{
    [Test]
    public async Task Sigterm_stops_the_listener_gracefully_with_a_summary()
    {
        var folder = Directory.CreateTempSubdirectory("nodeagent-listen-process-").FullName;
        var received = Path.Combine(folder, "received");
        var port = FreeTcpPort.Pick();
        using var listener = StartListener(port, received);
        try
        {
            var output = new StringWriter();
            var listening = new TaskCompletionSource();
            listener.OutputDataReceived += (_, e) =>
            {
                lock (output)
                {
                    output.WriteLine(e.Data);
                }

                if (e.Data?.StartsWith("Listening on", StringComparison.Ordinal) == true)
                {
                    listening.TrySetResult();
                }
            };
            listener.BeginOutputReadLine();
            await listening.Task.WaitAsync(TimeSpan.FromSeconds(30));

            var files = Enumerable.Range(1, 3).Select(i => WriteInstance(folder, i)).ToList();
            var client = new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = port, CalledAeTitle = "NODEAGENT", Resilience = DicomResilienceOptions.Interactive }, new DicomPeerRegistry());
            var stored = await client.StoreAsync(files);
            Assert.That(stored.Succeeded, Is.EqualTo(3));

            using (var kill = Process.Start("kill", ["-TERM", listener.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await listener.WaitForExitAsync(timeout.Token);
            Assert.That(listener.ExitCode, Is.Zero, "a service manager's stop is not a failure");
            lock (output)
            {
                Assert.That(output.ToString(), Does.Contain("Stopped; 3 files received."));
            }

            Assert.That(Directory.GetFiles(received), Has.Length.EqualTo(3));
        }
        finally
        {
            if (!listener.HasExited)
            {
                listener.Kill(entireProcessTree: true);
                await listener.WaitForExitAsync();
            }

            Directory.Delete(folder, recursive: true);
        }
    }

    private static Process StartListener(int port, string output)
    {
        // The host's apphost is copied next to the tests by the project reference.
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "nodeagent"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "pacs", "listen", "--port", port.ToString(CultureInfo.InvariantCulture), "--aet", "NODEAGENT", "--output", output, "--bind", "127.0.0.1" })
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("nodeagent did not start.");
    }

    private static string WriteInstance(string folder, int index)
    {
        var ds = new DicomDataset();
        ds.AddOrUpdate(DicomTags.SOPClassUID, DicomVR.UI, DicomUids.SecondaryCaptureImageStorage);
        ds.AddOrUpdate(DicomTags.SOPInstanceUID, DicomVR.UI, $"1.2.826.0.1.3680043.8.498.56.{index}");
        var path = Path.Combine(folder, $"{index}.dcm");
        new DicomFile(ds, DicomTransferSyntax.ExplicitVRLittleEndian).Save(path, new DicomWriteOptions { FlushToDisk = false });
        return path;
    }
}
