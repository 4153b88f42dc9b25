using System.Globalization;
using System.Net;
using System.Net.Sockets;
using NodeAgent.Testing;
using NodeAgent.Testing.Peers;

namespace NodeAgent.IntegrationTests.PeerFixtures;

/// <summary>DcmtkListener, DcmtkTool and the dcmqrscp helpers against the real DCMTK programs.</summary>
[TestFixture]
[Category("Peers")]
public sealed class DcmtkListenerTests
{
    private string _work = null!;

    [SetUp]
    public void CreateWorkFolder() => _work = Directory.CreateTempSubdirectory("nodeagent-dcmtk-listener-").FullName;

    [TearDown]
    public void DeleteWorkFolder() => Directory.Delete(_work, recursive: true);

    [Test]
    public async Task Storescp_receives_what_storescu_sends()
    {
        var received = Path.Combine(_work, "received");
        var files = PeerFixtureCorpus.Files.Take(5).ToArray();
        int pid;
        await using (var storescp = await DcmtkListener.StartStoreScpAsync("NODEAGENT", received))
        {
            pid = storescp.Pid;
            AssertListensOnLoopbackOnly(storescp);

            var store = DcmtkTool.StoreScu(storescp.Peer, "TESTSCU", files);

            Assert.That(store.ExitCode, Is.Zero, store.StandardError);
            Assert.That(Directory.GetFiles(received), Has.Length.EqualTo(files.Length), storescp.Output);
        }

        Assert.That(ProcessLiveness.IsAlive(pid), Is.False);
    }

    [Test]
    public async Task Dcmqrscp_answers_echo_and_find_over_an_indexed_storage_area()
    {
        var files = PeerFixtureCorpus.Files;
        var configuration = new DcmqrscpConfiguration("QRSCP", Path.Combine(_work, "area"));
        var configFile = configuration.WriteTo(Path.Combine(_work, "dcmqrscp.cfg"));
        var copies = DcmqrscpStorageArea.Import(configuration.StorageDirectory, files);
        Assert.That(copies, Has.Count.EqualTo(files.Count));

        int pid;
        await using (var dcmqrscp = await DcmtkListener.StartQueryRetrieveScpAsync(configFile, configuration.AeTitle))
        {
            pid = dcmqrscp.Pid;
            AssertListensOnLoopbackOnly(dcmqrscp);

            var echo = DcmtkTool.EchoScu(dcmqrscp.Peer, "TESTSCU");
            var studies = DcmtkTool.FindScu(dcmqrscp.Peer, "TESTSCU", "STUDY", ["StudyInstanceUID", "PatientName"]);
            var patients = DcmtkTool.FindScu(dcmqrscp.Peer, "TESTSCU", "PATIENT", ["PatientID"], QueryRetrieveRoot.Patient);

            Assert.That(echo.ExitCode, Is.Zero, echo.StandardError);
            Assert.That(studies.ExitCode, Is.Zero, studies.StandardError);
            Assert.That(FindScuOutput.Values(studies, "StudyInstanceUID"), Is.EquivalentTo(PeerFixtureCorpus.StudyUids(files)));
            Assert.That(FindScuOutput.Values(patients, "PatientID"), Has.Count.EqualTo(3));
        }

        Assert.That(ProcessLiveness.IsAlive(pid), Is.False);
    }

    [Test]
    public async Task Dcmqrscp_stores_what_storescu_sends_and_finds_it_afterwards()
    {
        var files = PeerFixtureCorpus.Files.Take(4).ToArray();
        var configuration = new DcmqrscpConfiguration("QRSCP", Path.Combine(_work, "area"));
        var configFile = configuration.WriteTo(Path.Combine(_work, "dcmqrscp.cfg"));
        await using var dcmqrscp = await DcmtkListener.StartQueryRetrieveScpAsync(configFile, configuration.AeTitle);

        var store = DcmtkTool.StoreScu(dcmqrscp.Peer, "TESTSCU", files);
        var studies = DcmtkTool.FindScu(dcmqrscp.Peer, "TESTSCU", "STUDY", ["StudyInstanceUID"]);

        Assert.That(store.ExitCode, Is.Zero, store.StandardError);
        Assert.That(FindScuOutput.Values(studies, "StudyInstanceUID"), Is.EquivalentTo(PeerFixtureCorpus.StudyUids(files)), dcmqrscp.Output);
    }

    [Test]
    public async Task Dcmqrscp_moves_a_study_to_a_configured_destination()
    {
        var files = PeerFixtureCorpus.Files;
        var study = PeerFixtureCorpus.StudyUid(files[0]);
        var expected = files.Count(f => PeerFixtureCorpus.StudyUid(f) == study);
        var received = Path.Combine(_work, "received");
        await using var storescp = await DcmtkListener.StartStoreScpAsync("NODEAGENT", received);
        var configuration = new DcmqrscpConfiguration("QRSCP", Path.Combine(_work, "area")) { MoveDestinations = [storescp.Peer] };
        var configFile = configuration.WriteTo(Path.Combine(_work, "dcmqrscp.cfg"));
        DcmqrscpStorageArea.Import(configuration.StorageDirectory, files);
        await using var dcmqrscp = await DcmtkListener.StartQueryRetrieveScpAsync(configFile, configuration.AeTitle);

        var move = ExternalProcess.Run("movescu",
        [
            "-S", "-aec", dcmqrscp.AeTitle, "-aet", "TESTSCU", "-aem", storescp.AeTitle, "-to", "10", "-ta", "10", "-td", "60",
            "-k", "QueryRetrieveLevel=STUDY", "-k", $"StudyInstanceUID={study}",
            LoopbackPeer.Host, dcmqrscp.Port.ToString(CultureInfo.InvariantCulture),
        ], timeout: TimeSpan.FromMinutes(2));

        Assert.That(move.ExitCode, Is.Zero, move.StandardError + dcmqrscp.Output);
        Assert.That(Directory.GetFiles(received), Has.Length.EqualTo(expected), storescp.Output);
    }

    [Test]
    public async Task A_port_taken_before_the_tool_binds_it_is_retried_on_another_port()
    {
        var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        try
        {
            var taken = ((IPEndPoint)occupant.LocalEndpoint).Port;
            var attempts = 0;
            await using var storescp = await DcmtkListener.StartAsync("storescp", "RETRY", port =>
            {
                // The first attempt is sent to the occupied port, as if another process had been quicker.
                var listenOn = ++attempts == 1 ? taken : port;
                return ["--aetitle", "RETRY", "--output-directory", _work, listenOn.ToString(CultureInfo.InvariantCulture)];
            });

            Assert.That(attempts, Is.EqualTo(2));
            Assert.That(storescp.Port, Is.Not.EqualTo(taken));
            Assert.That(DcmtkTool.EchoScu(storescp.Peer).ExitCode, Is.Zero);
        }
        finally
        {
            occupant.Stop();
            occupant.Dispose();
        }
    }

    [Test]
    public async Task A_tool_that_exits_at_start_is_reported_with_its_output()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => DcmtkListener.StartAsync("storescp", "BROKEN", _ => ["--no-such-option"]));

        Assert.That(failure!.Message, Does.Contain("storescp exited with 1").And.Contain("Unknown option --no-such-option"));
    }

    [Test]
    public void A_free_port_can_be_listened_on()
    {
        var port = FreeTcpPort.Pick();
        var listener = new TcpListener(IPAddress.Loopback, port);

        Assert.DoesNotThrow(listener.Start);
        listener.Dispose();
    }

    private static void AssertListensOnLoopbackOnly(DcmtkListener listener)
    {
        var endpoints = ProcessListeners.Of(listener.Pid);
        Assert.That(endpoints.Select(e => e.Port), Does.Contain(listener.Port));
        Assert.That(endpoints, Has.All.Matches<IPEndPoint>(e => IPAddress.IsLoopback(e!.Address)));
    }
}
