using NodeAgent.Dicom;
using NodeAgent.Dicom.Network.Client;
using NodeAgent.Dicom.Network.Dimse;
using NodeAgent.Dicom.Network.Query;
using NodeAgent.Dicom.Network.Server;
using NodeAgent.Dicom.Network.Storage;
using NodeAgent.Testing;
using NodeAgent.Testing.Peers;
using static NodeAgent.IntegrationTests.Network.NetworkTestSupport;

namespace NodeAgent.IntegrationTests.Network;

/// <summary>
/// Our SCU against DCMTK's dcmqrscp (3.6.7) serving the network corpus: C-ECHO, C-FIND at every level,
/// C-MOVE to our <see cref="DicomServer"/> and C-GET of every study it can send.
/// </summary>
/// <remarks>
/// dcmqrscp has no image codecs and by default accepts (for C-GET) and proposes (for C-MOVE)
/// uncompressed transfer syntaxes only, so it cannot send the JPEG (US) studies: it logs "unable to
/// convert DICOM file from 'JPEG Baseline'" and ends with 0xA702. With +xy/-xy it does not do better:
/// for C-GET it sends each instance on the first context accepted for its SOP class, whatever its
/// transfer syntax; for C-MOVE it proposes JPEG and the uncompressed syntaxes, and still has no codec
/// for the JPEG instances it holds. JPEG retrieval is tested against Orthanc.
/// </remarks>
[TestFixture]
[Category("Peers")]
public sealed class OurClientAgainstDcmqrscpTests
{
    private string _work = null!;
    private DicomPeerRegistry _registry = null!;
    private DicomServer? _moveDestination;
    private FolderStoreHandler _moveHandler = null!;
    private ServerEventLog _moveLog = null!;
    private DcmtkListener? _dcmqrscp;

    private DicomClient Client => NetworkTestSupport.Client(_dcmqrscp!.Peer, _registry);

    /// <summary>Every study but the JPEG ones (see the remarks), covering the other four transfer syntaxes.</summary>
    private static IReadOnlyDictionary<string, CorpusInstance[]> UncompressedStudies =>
        NetworkCorpus.Studies.Where(s => s.Value.All(i => i.TransferSyntaxUid != DicomUids.JPEGBaseline8Bit)).ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);

    [OneTimeSetUp]
    public async Task StartDcmqrscpWithTheCorpusAndOurMoveDestination()
    {
        _work = Directory.CreateTempSubdirectory("nodeagent-dcmqrscp-").FullName;
        _registry = new DicomPeerRegistry();
        _moveHandler = new FolderStoreHandler(Path.Combine(_work, "moved"), flushToDisk: false);
        _moveLog = new ServerEventLog();
        _moveDestination = await StartServerAsync(new HandlerServices(store: _moveHandler), aeTitle: "NODEAGENT", logger: _moveLog);

        var configuration = new DcmqrscpConfiguration("QRSCP", Path.Combine(_work, "area"))
        {
            MoveDestinations = [new LoopbackPeer("NODEAGENT", _moveDestination.Port)],
            AllowStore = false,
            MaxStudies = 100,
        };
        var configFile = configuration.WriteTo(Path.Combine(_work, "dcmqrscp.cfg"));
        DcmqrscpStorageArea.Import(configuration.StorageDirectory, NetworkCorpus.Files);
        _dcmqrscp = await DcmtkListener.StartQueryRetrieveScpAsync(configFile, configuration.AeTitle);
    }

    [OneTimeTearDown]
    public async Task StopEverything()
    {
        var pid = _dcmqrscp?.Pid;
        if (_dcmqrscp is not null)
        {
            await _dcmqrscp.DisposeAsync();
        }

        if (_moveDestination is not null)
        {
            await _moveDestination.DisposeAsync();
        }

        _registry?.Dispose();
        if (_work is not null)
        {
            Directory.Delete(_work, recursive: true);
        }

        // dcmqrscp forks a child per association: DcmtkListener kills the whole tree.
        Assert.That(pid is null || !ProcessLiveness.IsAlive(pid.Value), "dcmqrscp survived");
    }

    [Test]
    public async Task Echo_is_answered()
    {
        Assert.That(await Client.EchoAsync(), Is.GreaterThan(TimeSpan.Zero));
    }

    [Test]
    public async Task Find_at_patient_level_in_the_patient_root_model_returns_every_patient()
    {
        var summary = new DicomFindSummary();

        var matches = await FindAllAsync(Client, DicomQuery.Create(DicomQueryLevel.Patient, DicomQueryModel.PatientRoot), summary);

        Assert.That(matches.Select(m => m.GetString(DicomTags.PatientID)), Is.EquivalentTo(NetworkCorpus.Instances.Select(i => i.PatientId).Distinct()));
        Assert.That(summary.Status, Is.EqualTo(DimseStatus.Success));
    }

    [Test]
    public async Task Find_at_study_level_returns_every_study_with_its_patient()
    {
        var matches = await FindAllAsync(Client, DicomQuery.Create(DicomQueryLevel.Study));

        var expected = NetworkCorpus.Studies.ToDictionary(s => s.Key, s => s.Value[0].PatientId, StringComparer.Ordinal);
        Assert.That(matches.ToDictionary(m => m.GetString(DicomTags.StudyInstanceUID)!, m => m.GetString(DicomTags.PatientID)), Is.EquivalentTo(expected));
    }

    [Test]
    public async Task Find_at_study_level_returns_every_name_as_stored()
    {
        var matches = await FindAllAsync(Client, DicomQuery.Create(DicomQueryLevel.Study));

        var expected = NetworkCorpus.Studies.ToDictionary(s => s.Key, s => s.Value[0].PatientName, StringComparer.Ordinal);
        Assert.That(matches.ToDictionary(m => m.GetString(DicomTags.StudyInstanceUID)!, m => m.GetString(DicomTags.PatientName)), Is.EquivalentTo(expected));
    }

    [Test]
    public async Task Find_at_study_level_with_a_date_range_returns_the_studies_dated_within_it()
    {
        var query = DicomQuery.Create(DicomQueryLevel.Study).Match(DicomTags.StudyDate, "20160101-20191231");

        var matches = await FindAllAsync(Client, query);

        var expected = NetworkCorpus.Instances.Where(i => string.CompareOrdinal(i.StudyDate, "20160101") >= 0 && string.CompareOrdinal(i.StudyDate, "20191231") <= 0)
            .Select(i => i.StudyInstanceUid).Distinct();
        Assert.That(matches.Select(m => m.GetString(DicomTags.StudyInstanceUID)), Is.EquivalentTo(expected));
    }

    [Test]
    public async Task Find_at_series_and_image_level_returns_the_series_and_instances_of_a_study()
    {
        var study = NetworkCorpus.Studies.Values.First(s => s.Any(i => i.Modality == "PT"));
        var client = Client;

        var series = await FindAllAsync(client, DicomQuery.Create(DicomQueryLevel.Series).Match(DicomTags.StudyInstanceUID, study[0].StudyInstanceUid));
        var images = new List<DicomDataset>();
        foreach (var uid in series.Select(s => s.GetString(DicomTags.SeriesInstanceUID)!))
        {
            images.AddRange(await FindAllAsync(client, DicomQuery.Create(DicomQueryLevel.Image)
                .Match(DicomTags.StudyInstanceUID, study[0].StudyInstanceUid)
                .Match(DicomTags.SeriesInstanceUID, uid)));
        }

        Assert.That(series.Select(s => s.GetString(DicomTags.SeriesInstanceUID)), Is.EquivalentTo(study.Select(i => i.SeriesInstanceUid).Distinct()));
        Assert.That(series.Select(s => s.GetString(DicomTags.Modality)), Is.EquivalentTo(study.DistinctBy(i => i.SeriesInstanceUid).Select(i => i.Modality)));
        Assert.That(images.Select(i => i.GetString(DicomTags.SOPInstanceUID)), Is.EquivalentTo(study.Select(i => i.SopInstanceUid)));
    }

    [Test]
    public async Task Stopping_a_find_early_is_cancelled_as_DCMTK_expects_without_an_abort()
    {
        var summary = new DicomFindSummary();

        await foreach (var _ in Client.FindAsync(DicomQuery.Create(DicomQueryLevel.Image), summary))
        {
            break;
        }

        // dcmqrscp reads our C-CANCEL (during the find, or after its last match) and aborts the
        // association if it cannot parse it. Its log reaches us through a pipe: give it a moment.
        for (var i = 0; i < 20 && !_dcmqrscp!.Output.Contains("aborting association", StringComparison.Ordinal); i++)
        {
            await Task.Delay(50);
        }

        Assert.That(summary.Status, Is.EqualTo(DimseStatus.Cancel).Or.EqualTo(DimseStatus.Success));
        Assert.That(_dcmqrscp!.Output, Does.Not.Contain("Command Parse Failed").And.Not.Contain("aborting association"));
    }

    [Test]
    public async Task Move_of_every_uncompressed_study_to_our_server_delivers_every_instance_with_an_equal_data_set()
    {
        AssertListensOnLoopbackOnly(_moveDestination!);
        Assert.That(UncompressedStudies.SelectMany(s => s.Value).Select(i => i.TransferSyntaxUid).Distinct(), Has.Exactly(4).Items);
        var client = Client;
        foreach (var (studyUid, instances) in UncompressedStudies)
        {
            var result = await ExplainedByPeerAsync(() => client.MoveAsync(StudyIdentifier(studyUid), "NODEAGENT"), _dcmqrscp!, () => $"our server logged:\n{_moveLog}");

            Assert.That((result.Status, result.Completed, result.Failed, result.Warnings), Is.EqualTo((DimseStatus.Success, instances.Length, 0, 0)), $"{studyUid}\n{_dcmqrscp!.Output}\n{_moveLog}");
        }

        var sent = UncompressedStudies.SelectMany(s => s.Value).ToArray();
        var received = _moveHandler.OutputDirectory;
        Assert.That(SopInstanceUidsIn(received), Is.EquivalentTo(sent.Select(i => i.SopInstanceUid)));
        Assert.That(CompareWithOriginals(Directory.GetFiles(received), OriginalsBySopInstanceUid(sent)), Is.Empty);
    }

    [Test]
    public async Task Get_of_every_uncompressed_study_delivers_every_instance_with_an_equal_data_set()
    {
        var client = Client;
        foreach (var (studyUid, instances) in UncompressedStudies)
        {
            var handler = new FolderStoreHandler(Path.Combine(_work, "get", studyUid), flushToDisk: false);

            var result = await ExplainedByPeerAsync(() => client.GetAsync(StudyIdentifier(studyUid), handler), _dcmqrscp!);

            Assert.That((result.Status, result.Completed, result.Failed, result.Warnings), Is.EqualTo((DimseStatus.Success, instances.Length, 0, 0)), $"{studyUid}\n{_dcmqrscp!.Output}");
            Assert.That(SopInstanceUidsIn(handler.OutputDirectory), Is.EquivalentTo(instances.Select(i => i.SopInstanceUid)));
            Assert.That(CompareWithOriginals(Directory.GetFiles(handler.OutputDirectory), OriginalsBySopInstanceUid(instances)), Is.Empty);
        }
    }
}
