using System.Text.Json.Nodes;
using NodeAgent.Dicom;
using NodeAgent.Dicom.Network.Client;
using NodeAgent.Dicom.Network.Dimse;
using NodeAgent.Dicom.Network.Query;
using NodeAgent.Dicom.Network.Server;
using NodeAgent.Dicom.Network.Storage;
using NodeAgent.Testing.Peers;
using static NodeAgent.IntegrationTests.Network.NetworkTestSupport;

namespace NodeAgent.IntegrationTests.Network;

/// <summary>
/// Our SCU against Orthanc (Debian's 1.10.1, default configuration: DefaultEncoding Latin1) holding
/// the network corpus: C-ECHO, C-FIND at every level checked against Orthanc's REST /tools/find and
/// the corpus manifest, C-GET and C-MOVE of every study checked against the files Orthanc holds.
/// </summary>
[TestFixture]
[Category("Peers")]
public sealed class OrthancQueryRetrieveTests
{
    private OrthancInstance _orthanc = null!;
    private DicomPeerRegistry _registry = null!;
    private DicomServer? _moveDestination;
    private FolderStoreHandler _moveHandler = null!;
    private string _work = null!;

    private DicomClient Client => NetworkTestSupport.Client(_orthanc.Dicom, _registry);

    [OneTimeSetUp]
    public async Task StartOrthancWithTheCorpusAndOurMoveDestination()
    {
        _work = Directory.CreateTempSubdirectory("nodeagent-orthanc-qr-").FullName;
        _registry = new DicomPeerRegistry();
        _orthanc = await OrthancInstance.StartAsync();
        await _orthanc.UploadAsync(NetworkCorpus.Files);

        _moveHandler = new FolderStoreHandler(Path.Combine(_work, "moved"), flushToDisk: false);
        _moveDestination = await StartServerAsync(new HandlerServices(store: _moveHandler), aeTitle: "NODEAGENT");
        await _orthanc.RegisterModalityAsync("nodeagent", "NODEAGENT", _moveDestination.Port);
    }

    [OneTimeTearDown]
    public async Task StopEverything()
    {
        if (_moveDestination is not null)
        {
            await _moveDestination.DisposeAsync();
        }

        if (_orthanc is not null)
        {
            await _orthanc.DisposeAsync();
        }

        _registry?.Dispose();
        if (_work is not null)
        {
            Directory.Delete(_work, recursive: true);
        }
    }

    [Test]
    public async Task Orthanc_holds_the_whole_corpus()
    {
        Assert.That(await _orthanc.CountInstancesAsync(), Is.EqualTo(NetworkCorpus.Instances.Count));
    }

    [Test]
    public async Task Echo_is_answered()
    {
        var roundTrip = await Client.EchoAsync();

        Assert.That(roundTrip, Is.GreaterThan(TimeSpan.Zero).And.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task Find_at_patient_level_in_the_patient_root_model_returns_every_patient()
    {
        var query = DicomQuery.Create(DicomQueryLevel.Patient, DicomQueryModel.PatientRoot);
        var summary = new DicomFindSummary();

        var matches = await FindAllAsync(Client, query, summary);

        var expected = NetworkCorpus.Instances.Select(i => i.PatientId).ToHashSet(StringComparer.Ordinal);
        Assert.That(matches.Select(m => m.GetString(DicomTags.PatientID)), Is.EquivalentTo(expected));
        Assert.That(await RestFindAsync("Patient", [], "PatientID"), Is.EquivalentTo(expected));
        Assert.That(summary.Status, Is.EqualTo(DimseStatus.Success));
        Assert.That(summary.IsTruncated, Is.False);
        Assert.That(summary.Matches, Is.EqualTo(expected.Count));
    }

    [Test]
    public async Task Find_at_patient_level_with_a_name_prefix_matches_case_insensitively_as_Orthancs_own_search()
    {
        // Orthanc matches person names case-insensitively (CaseSensitivePN is false), so D* also finds deBoer.
        var query = DicomQuery.Create(DicomQueryLevel.Patient, DicomQueryModel.PatientRoot).Match(DicomTags.PatientName, "D*");

        var matches = await FindAllAsync(Client, query);

        var expected = NetworkCorpus.Instances.Where(i => i.PatientName.StartsWith('D') || i.PatientName.StartsWith('d'))
            .Select(i => i.PatientId).ToHashSet(StringComparer.Ordinal);
        Assert.That(expected, Has.Count.EqualTo(2), "the corpus has Dupré and deBoer");
        Assert.That(matches.Select(m => m.GetString(DicomTags.PatientID)), Is.EquivalentTo(expected));
        Assert.That(await RestFindAsync("Patient", new JsonObject { ["PatientName"] = "D*" }, "PatientID"), Is.EquivalentTo(expected));
    }

    [Test]
    public async Task Find_at_study_level_returns_every_study_with_its_counts_and_modalities()
    {
        var query = DicomQuery.Create(DicomQueryLevel.Study);

        var matches = (await FindAllAsync(Client, query)).ToDictionary(m => m.GetString(DicomTags.StudyInstanceUID)!, StringComparer.Ordinal);

        Assert.That(matches.Keys, Is.EquivalentTo(NetworkCorpus.Studies.Keys));
        using (Assert.EnterMultipleScope())
        {
            foreach (var (uid, instances) in NetworkCorpus.Studies)
            {
                var match = matches[uid];
                Assert.That(match.GetString(DicomTags.PatientID), Is.EqualTo(instances[0].PatientId));
                Assert.That(match.GetString(DicomTags.StudyDate), Is.EqualTo(instances[0].StudyDate));
                Assert.That(match.GetString(DicomTags.NumberOfStudyRelatedInstances), Is.EqualTo(instances.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)), uid);
                Assert.That(match.GetString(DicomTags.NumberOfStudyRelatedSeries), Is.EqualTo(instances.Select(i => i.SeriesInstanceUid).Distinct().Count().ToString(System.Globalization.CultureInfo.InvariantCulture)), uid);
                Assert.That(match.GetStrings(DicomTags.ModalitiesInStudy), Is.EquivalentTo(instances.Select(i => i.Modality).Distinct()), uid);
            }
        }
    }

    [Test]
    public async Task Find_at_study_level_with_a_date_range_returns_the_studies_dated_within_it()
    {
        var query = DicomQuery.Create(DicomQueryLevel.Study).Match(DicomTags.StudyDate, "20160101-20191231");

        var matches = await FindAllAsync(Client, query);

        var expected = StudiesWhere(i => string.CompareOrdinal(i.StudyDate, "20160101") >= 0 && string.CompareOrdinal(i.StudyDate, "20191231") <= 0);
        Assert.That(expected, Has.Count.InRange(3, NetworkCorpus.Studies.Count - 3), "the range should split the corpus");
        Assert.That(matches.Select(m => m.GetString(DicomTags.StudyInstanceUID)), Is.EquivalentTo(expected));
        Assert.That(matches.Select(m => m.GetString(DicomTags.StudyDate)), Has.All.InRange("20160101", "20191231"));
        Assert.That(await RestFindAsync("Study", new JsonObject { ["StudyDate"] = "20160101-20191231" }, "StudyInstanceUID"), Is.EquivalentTo(expected));
    }

    [Test]
    public async Task Find_at_study_level_with_a_modality_and_an_open_date_range_returns_those_studies()
    {
        var query = DicomQuery.Create(DicomQueryLevel.Study).Match(DicomTags.ModalitiesInStudy, "CT").Match(DicomTags.StudyDate, "20200101-");

        var matches = await FindAllAsync(Client, query);

        var ctStudies = StudiesWhere(i => i.Modality == "CT");
        var expected = StudiesWhere(i => string.CompareOrdinal(i.StudyDate, "20200101") >= 0).Intersect(ctStudies).ToHashSet(StringComparer.Ordinal);
        Assert.That(expected, Has.Count.InRange(2, ctStudies.Count - 2), "CT studies on both sides of the date");
        Assert.That(matches.Select(m => m.GetString(DicomTags.StudyInstanceUID)), Is.EquivalentTo(expected));
        Assert.That(
            await RestFindAsync("Study", new JsonObject { ["ModalitiesInStudy"] = "CT", ["StudyDate"] = "20200101-" }, "StudyInstanceUID"),
            Is.EquivalentTo(expected));
    }

    [Test]
    public async Task Find_at_series_level_by_modality_returns_every_series_of_that_modality()
    {
        var query = DicomQuery.Create(DicomQueryLevel.Series).Match(DicomTags.Modality, "MR");

        var matches = await FindAllAsync(Client, query);

        var expected = NetworkCorpus.Instances.Where(i => i.Modality == "MR").Select(i => i.SeriesInstanceUid).ToHashSet(StringComparer.Ordinal);
        Assert.That(expected, Has.Count.GreaterThanOrEqualTo(3));
        Assert.That(matches.Select(m => m.GetString(DicomTags.SeriesInstanceUID)), Is.EquivalentTo(expected));
        Assert.That(matches.Select(m => m.GetString(DicomTags.Modality)), Has.All.EqualTo("MR"));
        Assert.That(await RestFindAsync("Series", new JsonObject { ["Modality"] = "MR" }, "SeriesInstanceUID"), Is.EquivalentTo(expected));
    }

    [Test]
    public async Task Find_at_series_level_within_a_study_returns_its_series_with_their_instance_counts()
    {
        // A PET/CT study: localizer, CT and PT series.
        var study = NetworkCorpus.Studies.Values.First(s => s.Any(i => i.Modality == "PT"));
        var query = DicomQuery.Create(DicomQueryLevel.Series).Match(DicomTags.StudyInstanceUID, study[0].StudyInstanceUid);

        var matches = await FindAllAsync(Client, query);

        var expected = study.GroupBy(i => i.SeriesInstanceUid).ToDictionary(g => g.Key, g => g.Count().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.That(expected, Has.Count.EqualTo(3));
        Assert.That(
            matches.ToDictionary(m => m.GetString(DicomTags.SeriesInstanceUID)!, m => m.GetString(DicomTags.NumberOfSeriesRelatedInstances)),
            Is.EquivalentTo(expected));
    }

    [Test]
    public async Task Find_at_image_level_returns_the_instances_of_every_series()
    {
        var client = Client;
        using (Assert.EnterMultipleScope())
        {
            foreach (var series in NetworkCorpus.Instances.GroupBy(i => i.SeriesInstanceUid))
            {
                var query = DicomQuery.Create(DicomQueryLevel.Image)
                    .Match(DicomTags.StudyInstanceUID, series.First().StudyInstanceUid)
                    .Match(DicomTags.SeriesInstanceUID, series.Key);

                var matches = await FindAllAsync(client, query);

                Assert.That(matches.Select(m => m.GetString(DicomTags.SOPInstanceUID)), Is.EquivalentTo(series.Select(i => i.SopInstanceUid)), series.First().Path);
                Assert.That(matches.Select(m => m.GetString(DicomTags.SOPClassUID)), Is.EquivalentTo(series.Select(i => i.SopClassUid)), series.First().Path);
            }
        }
    }

    [Test]
    public async Task Find_with_a_single_character_wildcard_inside_a_name_matches()
    {
        var query = DicomQuery.Create(DicomQueryLevel.Study).Match(DicomTags.PatientName, "Cl?rk^*");

        var matches = await FindAllAsync(Client, query);

        var expected = StudiesWhere(i => i.PatientName.StartsWith("Clark^", StringComparison.Ordinal));
        Assert.That(expected, Has.Count.EqualTo(2));
        Assert.That(matches.Select(m => m.GetString(DicomTags.StudyInstanceUID)), Is.EquivalentTo(expected));
        Assert.That(await RestFindAsync("Study", new JsonObject { ["PatientName"] = "Cl?rk^*" }, "StudyInstanceUID"), Is.EquivalentTo(expected));
    }

    [Test]
    public async Task A_Latin1_name_is_found_by_its_accented_prefix_and_comes_back_unchanged()
    {
        // The query carries ISO_IR 192 (a non-ASCII value); Orthanc answers in ISO_IR 100, its default encoding.
        var query = DicomQuery.Create(DicomQueryLevel.Study).Match(DicomTags.PatientName, "Möller^*");

        var matches = await FindAllAsync(Client, query);

        Assert.That(query.Identifier.GetString(DicomTags.SpecificCharacterSet), Is.EqualTo("ISO_IR 192"));
        var expected = StudiesWhere(i => i.PatientName == "Möller^Ursula");
        Assert.That(matches.Select(m => m.GetString(DicomTags.StudyInstanceUID)), Is.EquivalentTo(expected));
        Assert.That(matches.Select(m => m.GetString(DicomTags.PatientName)), Has.All.EqualTo("Möller^Ursula"));
        Assert.That(matches.Select(m => m.GetString(DicomTags.SpecificCharacterSet)), Has.All.EqualTo("ISO_IR 100"));
    }

    [Test]
    public async Task A_Greek_name_is_found_by_a_UTF8_query_but_Orthanc_answers_in_Latin1_without_the_Greek_letters()
    {
        // Orthanc 1.10.1 with DefaultEncoding Latin1 matches the UTF-8 query, then converts its answer to
        // ISO_IR 100 whatever the query's character set, dropping what Latin-1 cannot hold (as findscu also shows).
        var query = DicomQuery.Create(DicomQueryLevel.Study).Match(DicomTags.PatientName, "*^Νίκος");

        var matches = await FindAllAsync(Client, query);

        var expected = StudiesWhere(i => i.PatientName == "Groß^Νίκος");
        Assert.That(expected, Has.Count.EqualTo(1));
        Assert.That(matches.Select(m => m.GetString(DicomTags.StudyInstanceUID)), Is.EquivalentTo(expected));
        Assert.That(matches.Select(m => m.GetString(DicomTags.PatientName)), Has.All.EqualTo("Groß^"));
        Assert.That(matches.Select(m => m.GetString(DicomTags.SpecificCharacterSet)), Has.All.EqualTo("ISO_IR 100"));
    }

    [Test]
    public async Task Every_name_comes_back_from_an_ASCII_query_as_Orthanc_converts_it_to_Latin1()
    {
        var query = DicomQuery.Create(DicomQueryLevel.Study);

        var matches = await FindAllAsync(Client, query);

        // Latin-1 and UTF-8 names within Latin-1 come back unchanged; characters beyond it are dropped.
        var expected = NetworkCorpus.Studies.ToDictionary(s => s.Key, s => new string(s.Value[0].PatientName.Where(c => c <= '\u00FF').ToArray()), StringComparer.Ordinal);
        Assert.That(matches.ToDictionary(m => m.GetString(DicomTags.StudyInstanceUID)!, m => m.GetString(DicomTags.PatientName)), Is.EquivalentTo(expected));
        Assert.That(expected.Values, Does.Contain("Groß^").And.Contain("Kovacs-Ångström^Robert").And.Contain("Côté^Søren"));
    }

    [Test]
    public async Task Get_of_every_study_delivers_every_instance_equal_to_what_Orthanc_holds()
    {
        var client = Client;
        var orthancIds = await _orthanc.SopInstanceUidToOrthancIdAsync();
        var problems = new List<string>();
        foreach (var (studyUid, instances) in NetworkCorpus.Studies)
        {
            var folder = Path.Combine(_work, "get", studyUid);
            var handler = new FolderStoreHandler(folder, flushToDisk: false);

            var result = await client.GetAsync(StudyIdentifier(studyUid), handler);

            Assert.That(result.Status, Is.EqualTo(DimseStatus.Success), studyUid);
            Assert.That((result.Completed, result.Failed, result.Warnings), Is.EqualTo((instances.Length, 0, 0)), studyUid);
            Assert.That(Directory.GetFiles(folder).Select(Path.GetFileName), Is.EquivalentTo(instances.Select(i => i.SopInstanceUid + ".dcm")), studyUid);
            foreach (var instance in instances)
            {
                var received = Path.Combine(folder, instance.SopInstanceUid + ".dcm");
                var differences = Differences(await _orthanc.GetInstanceFileAsync(orthancIds[instance.SopInstanceUid]), received);
                if (differences.Count > 0)
                {
                    problems.Add($"{Path.GetRelativePath(NetworkCorpus.Directory, instance.Path)}: {string.Join("; ", differences)}");
                }

                if (instance.TransferSyntaxUid == DicomUids.JPEGBaseline8Bit)
                {
                    using var file = DicomFile.Open(received, Dicom.IO.DicomReadOptions.StopBeforePixelData);
                    Assert.That(file.TransferSyntax.Uid, Is.EqualTo(DicomUids.JPEGBaseline8Bit), "a JPEG image should arrive as it is stored, not transcoded");
                }
            }
        }

        Assert.That(problems, Is.Empty);
    }

    [Test]
    public async Task Move_of_every_study_to_our_server_delivers_every_instance_equal_to_what_Orthanc_holds()
    {
        AssertListensOnLoopbackOnly(_moveDestination!);
        var client = Client;
        foreach (var (studyUid, instances) in NetworkCorpus.Studies)
        {
            var result = await client.MoveAsync(StudyIdentifier(studyUid), "NODEAGENT");

            Assert.That(result.Status, Is.EqualTo(DimseStatus.Success), studyUid);
            Assert.That((result.Completed, result.Failed, result.Warnings), Is.EqualTo((instances.Length, 0, 0)), studyUid);
        }

        var folder = _moveHandler.OutputDirectory;
        Assert.That(Directory.GetFiles(folder).Select(Path.GetFileName), Is.EquivalentTo(NetworkCorpus.Instances.Select(i => i.SopInstanceUid + ".dcm")));
        var orthancIds = await _orthanc.SopInstanceUidToOrthancIdAsync();
        var problems = new List<string>();
        foreach (var instance in NetworkCorpus.Instances)
        {
            var differences = Differences(await _orthanc.GetInstanceFileAsync(orthancIds[instance.SopInstanceUid]), Path.Combine(folder, instance.SopInstanceUid + ".dcm"));
            if (differences.Count > 0)
            {
                problems.Add($"{Path.GetRelativePath(NetworkCorpus.Directory, instance.Path)}: {string.Join("; ", differences)}");
            }
        }

        Assert.That(problems, Is.Empty);
    }

    [Test]
    public async Task Move_to_a_destination_Orthanc_does_not_know_fails_naming_the_likely_cause()
    {
        var study = NetworkCorpus.Studies.Keys.First();

        var failure = await Assert.ThrowsAsync<DimseStatusException>(() => Client.MoveAsync(StudyIdentifier(study), "NOSUCHAE"));

        // Orthanc 1.10.1 answers an unknown destination with the generic 0xC000, not 0xA801.
        Assert.That(failure!.Status, Is.EqualTo(DimseStatus.UnableToProcess));
        Assert.That(failure.Message, Does.Contain("move destination"));
    }

    private static HashSet<string> StudiesWhere(Func<CorpusInstance, bool> predicate) =>
        NetworkCorpus.Instances.Where(predicate).Select(i => i.StudyInstanceUid).ToHashSet(StringComparer.Ordinal);

    /// <summary>The values of one main DICOM tag of what Orthanc's REST /tools/find finds for the same criteria.</summary>
    private async Task<HashSet<string>> RestFindAsync(string level, JsonObject query, string tag)
    {
        var answer = await _orthanc.PostJsonAsync("tools/find", new JsonObject { ["Level"] = level, ["Query"] = query, ["Expand"] = true });
        return answer.AsArray().Select(r => r!["MainDicomTags"]![tag]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
    }
}
