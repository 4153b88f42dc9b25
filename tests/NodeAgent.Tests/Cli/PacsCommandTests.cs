using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NodeAgent.Cli;
using NodeAgent.Dicom;
using NodeAgent.Dicom.IO;
using NodeAgent.Dicom.Network.Server;
using NodeAgent.Dicom.Network.Storage;

namespace NodeAgent.Tests.Cli;

/// <summary><c>nodeagent pacs</c> against NodeAgent's own DICOM server on loopback: output, errors a person can act on, exit codes.</summary>
public class PacsCommandTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder()
    {
        _folder = Path.Combine(Path.GetTempPath(), $"nodeagent-pacs-cli-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_folder, recursive: true);

    [Test]
    public async Task Echo_reports_success_with_the_peer_and_our_AE_title()
    {
        await using var server = Start();

        var (exit, stdout, _) = await RunAsync("pacs", "echo", "--port", Port(server), "--called-ae", "NODEAGENT", "--calling-ae", "SITEIT");

        Assert.That(exit, Is.Zero);
        Assert.That(stdout, Does.Contain("C-ECHO to NODEAGENT at 127.0.0.1").And.Contain("as SITEIT: success"));
    }

    [Test]
    public async Task Echo_to_a_closed_port_explains_the_refusal()
    {
        var port = NodeAgent.Testing.Peers.FreeTcpPort.Pick();

        var (exit, _, stderr) = await RunAsync("pacs", "echo", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("nodeagent pacs echo:").And.Contain("nothing listens on that port"));
    }

    [Test]
    public async Task Echo_with_the_wrong_called_AE_title_says_so()
    {
        await using var server = Start();

        var (exit, _, stderr) = await RunAsync("pacs", "echo", "--port", Port(server), "--called-ae", "WRONG");

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("called AE title is not the peer's"));
    }

    [Test]
    public async Task Store_sends_a_folder_and_the_listener_writes_each_file()
    {
        var source = Directory.CreateDirectory(Path.Combine(_folder, "in")).FullName;
        var received = Path.Combine(_folder, "out");
        for (var i = 1; i <= 3; i++)
        {
            var ds = new DicomDataset();
            ds.AddOrUpdate(DicomTags.SOPClassUID, DicomVR.UI, DicomUids.SecondaryCaptureImageStorage);
            ds.AddOrUpdate(DicomTags.SOPInstanceUID, DicomVR.UI, $"1.2.826.0.1.3680043.8.498.55.{i}");
            new DicomFile(ds, DicomTransferSyntax.ExplicitVRLittleEndian).Save(Path.Combine(source, $"{i}.dcm"), new DicomWriteOptions { FlushToDisk = false });
        }

        File.WriteAllText(Path.Combine(source, "notes.txt"), "not DICOM");
        var port = NodeAgent.Testing.Peers.FreeTcpPort.Pick().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var stop = new CancellationTokenSource();
        var listen = RunAsync(stop.Token, "pacs", "listen", "--port", port, "--aet", "NODEAGENT", "--output", received, "--bind", "127.0.0.1");
        await WaitForPortAsync(int.Parse(port, System.Globalization.CultureInfo.InvariantCulture));

        var (exit, stdout, stderr) = await RunAsync("pacs", "store", "--port", port, "--called-ae", "NODEAGENT", source);
        await stop.CancelAsync();
        var (listenExit, listenOut, _) = await listen;

        Assert.That(exit, Is.EqualTo(1), "one file of the folder was not DICOM");
        Assert.That(stdout, Does.Contain("3 of 4 files stored"));
        Assert.That(stderr, Does.Contain("notes.txt"));
        Assert.That(listenExit, Is.Zero);
        Assert.That(listenOut, Does.Contain("Stopped; 3 files received."));
        Assert.That(Directory.GetFiles(received), Has.Length.EqualTo(3));
    }

    [Test]
    public async Task Find_as_json_prints_an_array_of_DICOM_JSON_identifiers()
    {
        await using var server = Start(s => s.AddSingleton<IDicomFindHandler>(new TwoStudies()));

        var (exit, stdout, _) = await RunAsync("pacs", "find", "--port", Port(server), "--called-ae", "NODEAGENT", "--level", "study", "--study-date", "2018-01-01..2020-12-31", "--format", "json");

        Assert.That(exit, Is.Zero);
        using var json = JsonDocument.Parse(stdout);
        Assert.That(json.RootElement.GetArrayLength(), Is.EqualTo(2));
        Assert.That(json.RootElement[1].GetProperty("0020000D").GetProperty("Value")[0].GetString(), Is.EqualTo("1.2.3.2"));
        Assert.That(TwoStudies.LastDateRange, Is.EqualTo("20180101-20201231"), "ISO range sent as a DICOM range");
    }

    [Test]
    public async Task A_bad_date_is_refused_before_anything_is_sent()
    {
        var (exit, _, stderr) = await RunAsync("pacs", "find", "--port", "1", "--study-date", "last year");

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("is not a date"));
    }

    [TestCase("--level", "series", TestName = "A series query without its study")]
    [TestCase("--level", "image", "--study-uid", "1.2.3", TestName = "An image query without its series")]
    [TestCase("--level", "patient", "--model", "study", TestName = "The patient level in the study root model")]
    [TestCase("--format", "xml", TestName = "An unknown output format")]
    public async Task Queries_a_PACS_would_refuse_are_refused_here_first_with_the_option_to_fix(params string[] arguments)
    {
        var (exit, _, stderr) = await RunAsync(["pacs", "find", "--port", "1", .. arguments]);

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.StartWith("nodeagent pacs find: --"), "the message starts with the option to change");
    }

    [Test]
    public async Task Patient_level_uses_the_patient_root_model_unless_told_otherwise()
    {
        await using var server = Start(s => s.AddSingleton<IDicomFindHandler>(new TwoStudies()));

        var (exit, _, stderr) = await RunAsync("pacs", "find", "--port", Port(server), "--called-ae", "NODEAGENT", "--level", "patient");

        Assert.That(exit, Is.Zero, stderr);
        Assert.That(TwoStudies.LastModel, Is.EqualTo(NodeAgent.Dicom.Network.Query.DicomQueryModel.PatientRoot));
    }

    [Test]
    public async Task Storing_an_empty_folder_is_an_error()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_folder, "empty")).FullName;

        var (exit, _, stderr) = await RunAsync("pacs", "store", "--port", "1", empty);

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("no files to send"));
    }

    private static DicomServer Start(Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        configure?.Invoke(services);
        var server = new DicomServer(new DicomServerOptions { Port = 0, BindAddress = IPAddress.Loopback }, services.BuildServiceProvider());
        server.Start();
        return server;
    }

    private static string Port(DicomServer server) => server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args) => RunAsync(CancellationToken.None, args);

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await NodeAgentCommandLine.RunAsync(args, TextWriter.Synchronized(stdout), TextWriter.Synchronized(stderr), cancellationToken);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static async Task WaitForPortAsync(int port)
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(50);
            }
        }

        Assert.Fail($"Nothing listened on port {port}.");
    }

    private sealed class TwoStudies : IDicomFindHandler
    {
        public static string? LastDateRange { get; private set; }

        public static NodeAgent.Dicom.Network.Query.DicomQueryModel? LastModel { get; private set; }

        public async IAsyncEnumerable<DicomDataset> FindAsync(DicomFindRequest request, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            LastDateRange = request.Identifier.GetString(DicomTags.StudyDate);
            LastModel = request.Model;
            await Task.Yield();
            for (var i = 1; i <= 2; i++)
            {
                yield return new DicomDataset().AddOrUpdate(DicomTags.StudyInstanceUID, DicomVR.UI, $"1.2.3.{i}");
            }
        }
    }
}
