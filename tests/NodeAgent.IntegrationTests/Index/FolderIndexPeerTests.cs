using System.Text.Json.Nodes;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Counting;
using NodeAgent.Index.Sources;
using NodeAgent.IntegrationTests.Pseudonymisation;
using NodeAgent.Pseudonymisation.Keys;
using NodeAgent.Testing;

namespace NodeAgent.IntegrationTests.Index;

/// <summary>
/// A make-dataset corpus indexed from its folder: counts for a set of queries equal what pydicom
/// reads from the same files (an independent reader), at every level.
/// </summary>
public sealed class FolderIndexPeerTests
{
    private const string Reader = """
        import json, sys, os, pydicom
        for root, _, files in os.walk(sys.argv[1]):
            for name in files:
                ds = pydicom.dcmread(os.path.join(root, name), stop_before_pixels=True)
                age = None
                a = str(ds.get('PatientAge', '') or '')
                if len(a) == 4 and a[:3].isdigit():
                    n = int(a[:3]); age = {'Y': n, 'M': n // 12, 'W': n // 52, 'D': n // 365}.get(a[3])
                elif ds.get('PatientBirthDate') and ds.get('StudyDate'):
                    b, s = str(ds.PatientBirthDate), str(ds.StudyDate)
                    age = int(s[:4]) - int(b[:4]) - (1 if s[4:] < b[4:] else 0)
                print(json.dumps({'patient': str(ds.PatientID), 'study': str(ds.StudyInstanceUID), 'series': str(ds.SeriesInstanceUID),
                                  'modality': str(ds.get('Modality', '')), 'sex': str(ds.get('PatientSex', '')), 'age': age,
                                  'date': int(str(ds.StudyDate)) if ds.get('StudyDate') else None, 'manufacturer': str(ds.get('Manufacturer', '')).upper()}))
        """;

    private static List<JsonObject> _instances = null!;
    private static CountEngine _engine = null!;
    private static string _root = null!;

    [OneTimeSetUp]
    public static void IndexTheCorpus()
    {
        var corpus = PseudonymisedCorpus.Corpus;
        var read = ExternalProcess.Run("/usr/bin/python3", ["-c", Reader, corpus.Directory], timeout: TimeSpan.FromMinutes(5));
        Assert.That(read.ExitCode, Is.Zero, read.StandardError);
        _instances = read.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        _root = Directory.CreateTempSubdirectory("nodeagent-index-peer-").FullName;
        using var catalogue = SiteCatalogue.Open(Path.Combine(_root, "catalogue.db"));
        var result = new FolderSource("corpus", corpus.Directory, new PseudonymGenerator(SiteSecret.FromBytes(new byte[32]))).Sync(catalogue);
        Assert.That(result.Unreadable, Is.Zero);
        _engine = CountEngine.Build(catalogue.Series().ToList());
    }

    [OneTimeTearDown]
    public static void Delete() => Directory.Delete(_root, recursive: true);

    [Test]
    public void No_identifying_value_of_the_manifest_is_in_the_catalogue_file()
    {
        // Study and series UIDs (and the same UIDs where a SEG refers to its source series) are the PACS
        // locators the catalogue keeps on purpose (never exported);
        // every other planted value (names, IDs, dates of birth, addresses, instance UIDs, ...) must be absent.
        var manifest = JsonNode.Parse(File.ReadAllText(PseudonymisedCorpus.Corpus.ManifestPath))!["files"]!.AsArray();
        var planted = manifest.SelectMany(f => f!["phi"]!.AsArray())
            .Where(p => (bool)p!["distinctive"]! && !((string)p["path"]!).EndsWith("StudyInstanceUID", StringComparison.Ordinal) && !((string)p["path"]!).EndsWith("SeriesInstanceUID", StringComparison.Ordinal))
            .Select(p => (string)p!["value"]!).Distinct().ToList();
        var bytes = File.ReadAllBytes(Path.Combine(_root, "catalogue.db"));
        var text = System.Text.Encoding.Latin1.GetString(bytes) + "\0" + System.Text.Encoding.UTF8.GetString(bytes);
        var found = planted.Count(v => text.Contains(v, StringComparison.Ordinal));
        Assert.That(planted, Has.Count.GreaterThan(200), "the manifest plants many values");
        Assert.That(found, Is.Zero, "planted values found in the catalogue file (their count only: values are not printed)");
    }

    private static IEnumerable<TestCaseData> Queries()
    {
        yield return new TestCaseData(Criterion.All, (Func<JsonObject, bool>)(_ => true)).SetName("everything");
        yield return new TestCaseData(
            new AllOf([new InSet(CatalogueField.Modality, ["CT"]), new InRange(CatalogueField.StudyDate, 20180101, 20201231)]),
            (Func<JsonObject, bool>)(i => (string?)i["modality"] == "CT" && (int?)i["date"] is >= 20180101 and <= 20201231)).SetName("CT 2018-2020");
        yield return new TestCaseData(
            new AllOf([new InSet(CatalogueField.Modality, ["MR", "PT"]), new InSet(CatalogueField.Sex, ["F"])]),
            (Func<JsonObject, bool>)(i => (string?)i["modality"] is "MR" or "PT" && (string?)i["sex"] == "F")).SetName("MR or PT of women");
        yield return new TestCaseData(
            new AllOf([new InRange(CatalogueField.Age, 50, 70), new NoneOf(new InSet(CatalogueField.Modality, ["SEG"]))]),
            (Func<JsonObject, bool>)(i => (int?)i["age"] is >= 50 and <= 70 && (string?)i["modality"] != "SEG")).SetName("aged 50-70, not SEG");
        yield return new TestCaseData(
            new AnyOf([new InSet(CatalogueField.Manufacturer, ["siemens"]), new InRange(CatalogueField.StudyYear, 2023, null)]),
            (Func<JsonObject, bool>)(i => (string?)i["manufacturer"] == "SIEMENS" || (int?)i["date"] >= 20230101)).SetName("Siemens or since 2023");
    }

    [TestCaseSource(nameof(Queries))]
    public void Counts_equal_what_pydicom_reads_from_the_files(Criterion criterion, Func<JsonObject, bool> predicate)
    {
        var matching = _instances.Where(predicate).ToList();
        var expected = new CountResult(
            matching.Select(i => (string)i["patient"]!).Distinct().Count(),
            matching.Select(i => (string)i["study"]!).Distinct().Count(),
            matching.Select(i => (string)i["series"]!).Distinct().Count(),
            matching.Count);
        Assert.That(_engine.Count(criterion), Is.EqualTo(expected));
        Assert.That(expected.Series, Is.GreaterThan(0), "the query matches something in the corpus");
    }
}
