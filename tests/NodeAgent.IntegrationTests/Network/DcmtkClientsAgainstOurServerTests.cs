using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using NodeAgent.Dicom;
using NodeAgent.Dicom.Network.Query;
using NodeAgent.Dicom.Network.Server;
using NodeAgent.Dicom.Network.Storage;
using NodeAgent.Testing;
using NodeAgent.Testing.Peers;
using static NodeAgent.IntegrationTests.Network.NetworkTestSupport;

namespace NodeAgent.IntegrationTests.Network;

/// <summary>DCMTK's echoscu, storescu and findscu (3.6.7) against our <see cref="DicomServer"/> on 127.0.0.1.</summary>
[TestFixture]
[Category("Peers")]
public sealed class DcmtkClientsAgainstOurServerTests
{
    private string _work = null!;

    [SetUp]
    public void CreateWorkFolder() => _work = Directory.CreateTempSubdirectory("nodeagent-dcmtk-scu-").FullName;

    [TearDown]
    public void DeleteWorkFolder() => Directory.Delete(_work, recursive: true);

    [Test]
    public async Task Echoscu_is_answered_by_our_server_listening_on_loopback_only()
    {
        await using var server = await StartServerAsync(new HandlerServices());
        AssertListensOnLoopbackOnly(server);

        var echo = DcmtkTool.EchoScu(LoopbackPeer.Host, server.Port, "NODEAGENT", "ECHOSCU");

        Assert.That(echo.ExitCode, Is.Zero, echo.StandardError);
    }

    [Test]
    public async Task Echoscu_calling_another_AE_title_than_ours_is_rejected()
    {
        await using var server = await StartServerAsync(new HandlerServices());

        var echo = DcmtkTool.EchoScu(LoopbackPeer.Host, server.Port, "SOMEONEELSE", "ECHOSCU");

        Assert.That(echo.ExitCode, Is.Not.Zero);
        Assert.That(echo.StandardError, Does.Contain("Called AE Title Not Recognized"));
    }

    [Test]
    public async Task Storescu_sends_every_transfer_syntax_over_one_association_and_every_data_set_arrives_equal()
    {
        var log = new ServerEventLog();
        var handler = new FolderStoreHandler(Path.Combine(_work, "received"), flushToDisk: false);
        await using var server = await StartServerAsync(new HandlerServices(store: handler), logger: log);
        var syntaxes = NetworkCorpus.Instances.Select(i => i.TransferSyntaxUid).ToHashSet();
        Assert.That(syntaxes, Is.SupersetOf(new[]
        {
            DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian, DicomUids.DeflatedExplicitVRLittleEndian,
            DicomUids.ExplicitVRBigEndian, DicomUids.JPEGBaseline8Bit,
        }));

        var store = DcmtkTool.StoreScu(LoopbackPeer.Host, server.Port, "NODEAGENT", "STORESCU", [NetworkCorpus.Directory]);

        Assert.That(store.ExitCode, Is.Zero, store.StandardError);
        Assert.That(log.AssociationsAccepted, Is.EqualTo(1), log.Text);
        Assert.That(SopInstanceUidsIn(handler.OutputDirectory), Is.EquivalentTo(NetworkCorpus.Instances.Select(i => i.SopInstanceUid)), store.StandardError + log.Text);
        Assert.That(CompareWithOriginals(Directory.GetFiles(handler.OutputDirectory), OriginalsBySopInstanceUid(NetworkCorpus.Instances)), Is.Empty);
    }

    [Test]
    public async Task Several_storescu_processes_at_once_deliver_every_file()
    {
        var log = new ServerEventLog();
        var handler = new FolderStoreHandler(Path.Combine(_work, "received"), flushToDisk: false);
        await using var server = await StartServerAsync(new HandlerServices(store: handler), logger: log);
        var groups = NetworkCorpus.Instances.GroupBy(i => i.PatientId).Select((g, n) => (Index: n % 4, Files: g.Select(i => i.Path)))
            .GroupBy(g => g.Index, g => g.Files).Select(g => g.SelectMany(f => f).ToArray()).ToArray();
        Assert.That(groups, Has.Length.EqualTo(4));

        // Each storescu waits on its own thread: blocking pool threads would starve our server's async work on 2 cores.
        var runs = await Task.WhenAll(groups.Select((files, n) => Task.Factory.StartNew(
            () => DcmtkTool.StoreScu(LoopbackPeer.Host, server.Port, "NODEAGENT", $"STORESCU{n}", files),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)));

        Assert.That(runs.Select(r => r.ExitCode), Has.All.Zero, string.Join('\n', runs.Select(r => r.StandardError)));
        Assert.That(log.AssociationsAccepted, Is.EqualTo(groups.Length), log.Text);
        Assert.That(SopInstanceUidsIn(handler.OutputDirectory), Is.EquivalentTo(NetworkCorpus.Instances.Select(i => i.SopInstanceUid)), log.Text);
        Assert.That(CompareWithOriginals(Directory.GetFiles(handler.OutputDirectory), OriginalsBySopInstanceUid(NetworkCorpus.Instances)), Is.Empty);
    }

    [Test]
    public async Task Findscu_receives_every_match_of_our_find_handler()
    {
        var studies = NetworkCorpus.Studies.Values.Take(3).Select(s => s[0]).ToArray();
        var handler = new FixedFindHandler(studies.Select(StudyMatch).ToArray());
        await using var server = await StartServerAsync(new HandlerServices(find: handler));

        var find = DcmtkTool.FindScu(
            LoopbackPeer.Host, server.Port, "NODEAGENT", "FINDSCU", "STUDY", ["PatientName=A*", "PatientID", "StudyInstanceUID", "StudyDate"]);

        var request = handler.Requests.Single();
        Assert.That((request.Level, request.Model, request.Association.CallingAeTitle), Is.EqualTo((DicomQueryLevel.Study, DicomQueryModel.StudyRoot, "FINDSCU")));
        Assert.That(request.Identifier.GetString(DicomTags.PatientName), Is.EqualTo("A*"));
        Assert.That(request.Identifier.Contains(DicomTags.StudyInstanceUID), Is.True);
        Assert.That(FindScuOutput.Values(find, "StudyInstanceUID"), Is.EqualTo(studies.Select(s => s.StudyInstanceUid)), find.StandardError);
        Assert.That(FindScuOutput.Values(find, "PatientID"), Is.EqualTo(studies.Select(s => s.PatientId)));
        Assert.That(FindScuOutput.Values(find, "StudyDate"), Is.EqualTo(studies.Select(s => s.StudyDate)));

        // Last: findscu exits 0 only if the association is also released properly after the C-FIND.
        Assert.That(find.StandardError, Does.Not.Contain("Association Release Failed"));
        Assert.That(find.ExitCode, Is.Zero, find.StandardError);
    }

    [Test]
    public async Task Findscu_in_the_patient_root_model_receives_a_UTF8_name_unchanged()
    {
        var patient = NetworkCorpus.Instances.First(i => i.PatientName == "Groß^Νίκος");
        var match = new DicomDataset();
        match.AddOrUpdate(DicomTags.SpecificCharacterSet, "ISO_IR 192");
        match.AddOrUpdate(DicomTags.QueryRetrieveLevel, "PATIENT");
        match.AddOrUpdate(DicomTags.PatientName, patient.PatientName);
        match.AddOrUpdate(DicomTags.PatientID, patient.PatientId);
        var handler = new FixedFindHandler([match]);
        await using var server = await StartServerAsync(new HandlerServices(find: handler));

        var find = DcmtkTool.FindScu(LoopbackPeer.Host, server.Port, "NODEAGENT", "FINDSCU", "PATIENT", ["PatientName", "PatientID"], QueryRetrieveRoot.Patient);

        Assert.That(handler.Requests.Single().Model, Is.EqualTo(DicomQueryModel.PatientRoot));
        Assert.That(handler.Requests.Single().Level, Is.EqualTo(DicomQueryLevel.Patient));
        Assert.That(FindScuOutput.Responses(find), Has.Count.EqualTo(1), find.StandardError);
        Assert.That(FindScuOutput.Values(find, "PatientName"), Is.EqualTo(new[] { "Groß^Νίκος" }));
        Assert.That(FindScuOutput.Values(find, "PatientID"), Is.EqualTo(new[] { patient.PatientId }));
        Assert.That(find.StandardError, Does.Not.Contain("Association Release Failed"));
        Assert.That(find.ExitCode, Is.Zero, find.StandardError);
    }

    private static DicomDataset StudyMatch(CorpusInstance study)
    {
        var match = new DicomDataset();
        match.AddOrUpdate(DicomTags.QueryRetrieveLevel, "STUDY");
        match.AddOrUpdate(DicomTags.StudyDate, study.StudyDate);
        match.AddOrUpdate(DicomTags.PatientID, study.PatientId);
        match.AddOrUpdate(DicomTags.StudyInstanceUID, study.StudyInstanceUid);
        return match;
    }

    /// <summary>Answers every C-FIND with the same matches, and remembers the requests.</summary>
    private sealed class FixedFindHandler(IReadOnlyList<DicomDataset> matches) : IDicomFindHandler
    {
        private readonly ConcurrentQueue<DicomFindRequest> _requests = new();

        public IReadOnlyCollection<DicomFindRequest> Requests => _requests;

        public async IAsyncEnumerable<DicomDataset> FindAsync(DicomFindRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            _requests.Enqueue(request);
            foreach (var match in matches)
            {
                await Task.Yield();
                cancellationToken.ThrowIfCancellationRequested();
                yield return match;
            }
        }
    }
}
