using System.Net;
using System.Text.Json.Nodes;
using NodeAgent.Testing.Peers;

namespace NodeAgent.IntegrationTests.PeerFixtures;

/// <summary>OrthancInstance against a real Orthanc: start, upload, REST, DICOM answers from DCMTK clients, stop.</summary>
[TestFixture]
[Category("Peers")]
public sealed class OrthancInstanceTests
{
    private static readonly LoopbackPeer ExtraModality = new("ARCHIVE2", 24999);

    private OrthancInstance _orthanc = null!;
    private IReadOnlyList<string> _files = null!;

    [OneTimeSetUp]
    public async Task StartOrthancAndUploadTheCorpus()
    {
        _files = PeerFixtureCorpus.Files;
        _orthanc = await OrthancInstance.StartAsync(new OrthancStartOptions
        {
            AeTitle = "PACS",
            MovePort = 24998,
            Modalities = [ExtraModality],
            ConfigurationOverrides = """{"DefaultEncoding": "Utf8"}""",
        });
        await _orthanc.UploadAsync(_files);
    }

    [OneTimeTearDown]
    public async Task StopOrthanc()
    {
        if (_orthanc is not null)
        {
            await _orthanc.DisposeAsync();
        }
    }

    [Test]
    public async Task Every_uploaded_file_is_an_instance_in_Orthanc()
    {
        Assert.That(_files, Has.Count.InRange(15, 30), "the corpus should be about 20 files");
        Assert.That(await _orthanc.CountInstancesAsync(), Is.EqualTo(_files.Count));
        Assert.That(await _orthanc.SopInstanceUidToOrthancIdAsync(), Has.Count.EqualTo(_files.Count));
    }

    [Test]
    public async Task Orthanc_gives_back_a_stored_file_byte_for_byte()
    {
        var map = await _orthanc.SopInstanceUidToOrthancIdAsync();
        var file = _files[0];
        using var dicom = NodeAgent.Dicom.DicomFile.Open(file, NodeAgent.Dicom.IO.DicomReadOptions.StopBeforePixelData);
        var sopInstanceUid = dicom.Dataset.GetString(NodeAgent.Dicom.DicomTags.SOPInstanceUID)!;

        var stored = await _orthanc.GetInstanceFileAsync(map[sopInstanceUid]);

        Assert.That(stored, Is.EqualTo(await File.ReadAllBytesAsync(file)));
    }

    [Test]
    public async Task Rest_find_lists_every_study()
    {
        var studies = await _orthanc.FindStudyUidsAsync();
        var viaJson = await _orthanc.PostJsonAsync("/tools/find", new JsonObject { ["Level"] = "Study", ["Query"] = new JsonObject() });

        Assert.That(studies, Is.EquivalentTo(PeerFixtureCorpus.StudyUids(_files)));
        Assert.That(viaJson.AsArray(), Has.Count.EqualTo(studies.Count));
    }

    [Test]
    public void Orthanc_answers_echoscu_on_its_dicom_port()
    {
        var echo = DcmtkTool.EchoScu(_orthanc.Host, _orthanc.DicomPort, _orthanc.AeTitle, "NODEAGENT");

        Assert.That(echo.ExitCode, Is.Zero, echo.StandardError);
    }

    [Test]
    public void Findscu_at_study_level_returns_every_study()
    {
        var find = DcmtkTool.FindScu(_orthanc.Dicom, "NODEAGENT", "STUDY", ["StudyInstanceUID", "PatientName", "ModalitiesInStudy"]);

        Assert.That(find.ExitCode, Is.Zero, find.StandardError);
        Assert.That(FindScuOutput.Values(find, "StudyInstanceUID"), Is.EquivalentTo(PeerFixtureCorpus.StudyUids(_files)));
        Assert.That(FindScuOutput.Values(find, "ModalitiesInStudy"), Has.All.Not.Empty);
    }

    [Test]
    public async Task Modalities_from_the_options_and_registered_later_are_known_to_Orthanc()
    {
        await _orthanc.RegisterModalityAsync("later", "LATER", 24997);

        var modalities = (await _orthanc.GetJsonAsync("modalities?expand")).AsObject();

        Assert.That(modalities["nodeagent"]?["AET"]?.GetValue<string>(), Is.EqualTo("NODEAGENT"));
        Assert.That(modalities["nodeagent"]?["Port"]?.GetValue<int>(), Is.EqualTo(24998));
        Assert.That(modalities["archive2"]?["Port"]?.GetValue<int>(), Is.EqualTo(ExtraModality.Port));
        Assert.That(modalities["later"]?["AET"]?.GetValue<string>(), Is.EqualTo("LATER"));
        Assert.That(modalities["later"]?["Host"]?.GetValue<string>(), Is.EqualTo("127.0.0.1"));
    }

    [Test]
    public async Task Configuration_overrides_reach_Orthanc()
    {
        var encoding = await _orthanc.GetTextAsync("tools/default-encoding");

        Assert.That(encoding.Trim(), Is.EqualTo("Utf8"));
        Assert.That(_orthanc.AeTitle, Is.EqualTo("PACS"));
    }

    [Test]
    public void Orthanc_listens_on_loopback_only()
    {
        var listeners = ProcessListeners.Of(_orthanc.Pid);

        Assert.That(listeners.Select(e => e.Port), Is.SupersetOf(new[] { _orthanc.HttpPort, _orthanc.DicomPort }));
        Assert.That(listeners, Has.All.Matches<IPEndPoint>(e => IPAddress.IsLoopback(e!.Address)));
    }

    [Test]
    public async Task Upload_failures_are_counted_and_named()
    {
        var notDicom = Path.Combine(Path.GetTempPath(), $"not-dicom-{Guid.NewGuid():N}.dcm");
        File.WriteAllText(notDicom, "this is not a DICOM file");
        try
        {
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => _orthanc.UploadAsync([notDicom, _files[0]]));

            Assert.That(failure!.Message, Does.Contain("1 of 2 uploads").And.Contain(Path.GetFileName(notDicom)));
        }
        finally
        {
            File.Delete(notDicom);
        }
    }

    [Test]
    public async Task Paths_that_leave_Orthancs_address_are_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _orthanc.GetJsonAsync("http://example.com/system"));
        await Assert.ThrowsAsync<ArgumentException>(() => _orthanc.GetJsonAsync("//example.com/system"));
    }
}
