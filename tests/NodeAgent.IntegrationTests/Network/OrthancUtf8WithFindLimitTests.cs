using NodeAgent.Dicom;
using NodeAgent.Dicom.Network.Client;
using NodeAgent.Dicom.Network.Dimse;
using NodeAgent.Dicom.Network.Query;
using NodeAgent.Testing.Peers;
using static NodeAgent.IntegrationTests.Network.NetworkTestSupport;

namespace NodeAgent.IntegrationTests.Network;

/// <summary>
/// Our SCU against a second Orthanc holding the network corpus, configured with
/// <c>{"DefaultEncoding": "Utf8", "LimitFindResults": 5}</c>: it answers C-FIND in UTF-8 (so names
/// beyond Latin-1 survive) and stops after 5 matches with the final status 0xFE00 (Cancel).
/// Queries here that are not about the cap match fewer than 5 entities.
/// </summary>
[TestFixture]
[Category("Peers")]
public sealed class OrthancUtf8WithFindLimitTests
{
    private const int Limit = 5;

    private OrthancInstance _orthanc = null!;
    private DicomPeerRegistry _registry = null!;

    private DicomClient Client => NetworkTestSupport.Client(_orthanc.Dicom, _registry);

    [OneTimeSetUp]
    public async Task StartOrthancWithTheCorpus()
    {
        _registry = new DicomPeerRegistry();
        _orthanc = await OrthancInstance.StartAsync(new OrthancStartOptions
        {
            DicomWeb = false,
            ConfigurationOverrides = $$"""{"DefaultEncoding": "Utf8", "LimitFindResults": {{Limit}}}""",
        });
        await _orthanc.UploadAsync(NetworkCorpus.Files);
    }

    [OneTimeTearDown]
    public async Task StopOrthanc()
    {
        if (_orthanc is not null)
        {
            await _orthanc.DisposeAsync();
        }

        _registry?.Dispose();
    }

    [Test]
    public async Task A_find_capped_by_LimitFindResults_reports_that_it_was_truncated()
    {
        var summary = new DicomFindSummary();

        var matches = await FindAllAsync(Client, DicomQuery.Create(DicomQueryLevel.Study), summary);

        Assert.That(NetworkCorpus.Studies, Has.Count.GreaterThan(Limit));
        Assert.That(matches, Has.Count.EqualTo(Limit));
        Assert.That(summary.Matches, Is.EqualTo(Limit));
        Assert.That(summary.Status, Is.EqualTo(DimseStatus.Cancel));
        Assert.That(summary.IsTruncated, Is.True);
        Assert.That(matches.Select(m => m.GetString(DicomTags.StudyInstanceUID)), Is.SubsetOf(NetworkCorpus.Studies.Keys).And.Unique);
    }

    [Test]
    public async Task A_find_below_the_limit_is_complete()
    {
        var study = NetworkCorpus.Studies.Values.First(s => s.Select(i => i.SeriesInstanceUid).Distinct().Count() == 3);
        var summary = new DicomFindSummary();
        var query = DicomQuery.Create(DicomQueryLevel.Series).Match(DicomTags.StudyInstanceUID, study[0].StudyInstanceUid);

        var matches = await FindAllAsync(Client, query, summary);

        Assert.That(matches.Select(m => m.GetString(DicomTags.SeriesInstanceUID)), Is.EquivalentTo(study.Select(i => i.SeriesInstanceUid).Distinct()));
        Assert.That(summary.Status, Is.EqualTo(DimseStatus.Success));
        Assert.That(summary.IsTruncated, Is.False);
    }

    [Test]
    public async Task A_Greek_name_is_found_by_a_UTF8_query_and_comes_back_whole()
    {
        var query = DicomQuery.Create(DicomQueryLevel.Patient, DicomQueryModel.PatientRoot).Match(DicomTags.PatientName, "*^Νίκος");

        var matches = await FindAllAsync(Client, query);

        var patient = NetworkCorpus.Instances.First(i => i.PatientName == "Groß^Νίκος");
        Assert.That(matches, Has.Count.EqualTo(1));
        Assert.That(matches[0].GetString(DicomTags.PatientID), Is.EqualTo(patient.PatientId));
        Assert.That(matches[0].GetString(DicomTags.PatientName), Is.EqualTo("Groß^Νίκος"));
        Assert.That(matches[0].GetString(DicomTags.SpecificCharacterSet), Is.EqualTo("ISO_IR 192"));
    }

    [Test]
    public async Task Names_of_every_character_set_come_back_unchanged_from_an_ASCII_query()
    {
        var client = Client;
        using (Assert.EnterMultipleScope())
        {
            // One query per patient, so the cap never applies.
            foreach (var patient in NetworkCorpus.Instances.DistinctBy(i => i.PatientId))
            {
                var query = DicomQuery.Create(DicomQueryLevel.Patient, DicomQueryModel.PatientRoot).Match(DicomTags.PatientID, patient.PatientId);

                var matches = await FindAllAsync(client, query);

                Assert.That(matches.Select(m => m.GetString(DicomTags.PatientName)), Is.EqualTo(new[] { patient.PatientName }), patient.CharacterSet ?? "no character set");
            }
        }
    }

    [Test]
    public async Task A_Latin1_name_with_a_UTF8_query_is_found_case_insensitively()
    {
        var query = DicomQuery.Create(DicomQueryLevel.Study).Match(DicomTags.PatientName, "lefèvre*");

        var matches = await FindAllAsync(Client, query);

        var expected = NetworkCorpus.Instances.Where(i => i.PatientName.StartsWith("Lefèvre", StringComparison.Ordinal)).Select(i => i.StudyInstanceUid).Distinct();
        Assert.That(matches.Select(m => m.GetString(DicomTags.StudyInstanceUID)), Is.EquivalentTo(expected));
        Assert.That(matches.Select(m => m.GetString(DicomTags.PatientName)), Has.All.EqualTo("Lefèvre^Dagný^L"));
    }
}
