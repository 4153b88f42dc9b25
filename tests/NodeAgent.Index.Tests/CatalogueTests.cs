using LiteDB;
using NodeAgent.Dicom;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Counting;
using NodeAgent.Index.Sources;
using NodeAgent.Index.Sources.Internal;
using NodeAgent.Pseudonymisation.Keys;

namespace NodeAgent.Index.Tests;

public sealed class CatalogueTests
{
    private string _root = null!;

    [SetUp]
    public void CreateRoot() => _root = Directory.CreateTempSubdirectory("nodeagent-catalogue-").FullName;

    [TearDown]
    public void DeleteRoot() => Directory.Delete(_root, recursive: true);

    private string Db => Path.Combine(_root, "catalogue.db");

    [Test]
    public void Records_survive_reopening_and_a_newer_schema_or_a_foreign_file_is_refused()
    {
        using (var catalogue = SiteCatalogue.Open(Db))
        {
            catalogue.Upsert(RandomCatalogue.Records(new Random(3), 50, 10, 2));
        }

        using (var again = SiteCatalogue.Open(Db))
        {
            Assert.That(again.SeriesCount, Is.EqualTo(50));
        }

        using (var raw = new LiteDatabase(Db))
        {
            raw.UserVersion = SiteCatalogue.SchemaVersion + 1;
        }

        Assert.That(() => SiteCatalogue.Open(Db), Throws.TypeOf<CatalogueException>().With.Message.Contains("newer NodeAgent"));
        var foreign = Path.Combine(_root, "notes.db");
        File.WriteAllText(foreign, new string('x', 20000));
        Assert.That(() => SiteCatalogue.Open(foreign), Throws.TypeOf<CatalogueException>());
    }

    [Test]
    public void A_catalogue_of_schema_0_is_migrated_when_opened()
    {
        using (var raw = new LiteDatabase(Db))
        {
            raw.GetCollection<SeriesRecord>("series").Insert(new SeriesRecord { Id = "a|1", Source = "a", SeriesInstanceUid = "1", StudyInstanceUid = "9", PatientKey = "P" });
            Assert.That(raw.UserVersion, Is.Zero);
        }

        using (var catalogue = SiteCatalogue.Open(Db))
        {
            Assert.That(catalogue.SeriesCount, Is.EqualTo(1));
        }

        using var reopened = new LiteDatabase(Db);
        Assert.That(reopened.UserVersion, Is.EqualTo(SiteCatalogue.SchemaVersion));
    }

    [Test]
    public void A_folder_is_indexed_into_series_without_identifiers_and_a_resync_follows_the_folder()
    {
        var folder = Path.Combine(_root, "export");
        for (var i = 0; i < 6; i++)
        {
            Write(folder, $"a/{i}.dcm", "PAT-1", study: "1.2.3.1", series: i < 4 ? "1.2.3.1.1" : "1.2.3.1.2", "CT", "20200510", "065Y");
        }

        Write(folder, "b/0.dcm", "PAT-2", study: "1.2.3.2", series: "1.2.3.2.1", "MR", "20190101", null, birthDate: "19600615");
        File.WriteAllText(Path.Combine(folder, "b", "garbage.dcm"), "not dicom");
        var secret = SiteSecret.FromBytes(new byte[32]);
        using var catalogue = SiteCatalogue.Open(Db);
        var source = new FolderSource("export", folder, new PseudonymGenerator(secret));
        var first = source.Sync(catalogue);
        var records = catalogue.Series().ToList();
        Assert.Multiple(() =>
        {
            Assert.That((first.Files, first.Series, first.Instances, first.Unreadable), Is.EqualTo((8, 3, 7, 1)));
            Assert.That(records.Single(r => r.SeriesInstanceUid == "1.2.3.1.1").Instances, Is.EqualTo(4));
            Assert.That(records.Single(r => r.Modality == "MR").AgeYears, Is.EqualTo(58), "from the birth date and the study date");
            Assert.That(records.Single(r => r.SeriesInstanceUid == "1.2.3.1.2").AgeYears, Is.EqualTo(65));
            Assert.That(records.Select(r => r.PatientKey), Has.None.Contains("PAT-"), "patients only as keyed pseudonyms");
            Assert.That(File.ReadAllText(Db, System.Text.Encoding.Latin1), Does.Not.Contain("PAT-1").And.Not.Contain("Doe"));
            Assert.That(CountEngine.Build(records).Count(Criterion.All), Is.EqualTo(new CountResult(2, 2, 3, 7)));
            Assert.That(catalogue.GetSource("export")!.LastSuccessfulSync, Is.Not.Null);
        });

        File.Delete(Path.Combine(folder, "b", "0.dcm"));
        var second = source.Sync(catalogue);
        Assert.That((second.Series, second.SeriesRemoved, catalogue.SeriesCount), Is.EqualTo((2, 1, 2)), "a series gone from the folder leaves the catalogue");
    }

    [Test]
    public void An_interrupted_sync_keeps_the_records_from_before()
    {
        var folder = Path.Combine(_root, "export");
        Write(folder, "a.dcm", "PAT-1", "1.2.3.1", "1.2.3.1.1", "CT", "20200510", "065Y");
        using var catalogue = SiteCatalogue.Open(Db);
        var source = new FolderSource("export", folder, new PseudonymGenerator(SiteSecret.FromBytes(new byte[32])));
        source.Sync(catalogue);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.That(() => source.Sync(catalogue, cancellationToken: cancelled.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.Multiple(() =>
        {
            Assert.That(catalogue.SeriesCount, Is.EqualTo(1));
            Assert.That(catalogue.GetSource("export")!.LastError, Does.Contain("interrupted"));
        });
    }

    [Test]
    public void One_writer_at_a_time_and_readers_see_damage_as_a_catalogue_error()
    {
        using (var writer = SiteCatalogue.Open(Db))
        {
            writer.Upsert(RandomCatalogue.Records(new Random(4), 300, 30, 2));
            Assert.That(() => SiteCatalogue.Open(Db), Throws.TypeOf<CatalogueException>().With.Message.Contains("another NodeAgent process"));
            using var reader = SiteCatalogue.OpenReadOnly(Db);
            Assert.That(reader.Series().Count(), Is.EqualTo(300), "queries read while an index runs");
        }

        var bytes = File.ReadAllBytes(Db);
        Array.Fill(bytes, (byte)0xA5, 8192, bytes.Length - 8192);
        File.WriteAllBytes(Db, bytes);
        Assert.That(() =>
        {
            using var damaged = SiteCatalogue.OpenReadOnly(Db);
            return damaged.Series().Count();
        }, Throws.TypeOf<CatalogueException>());
        Assert.That(() => SiteCatalogue.OpenReadOnly(Path.Combine(_root, "missing.db")), Throws.TypeOf<CatalogueException>().With.Message.Contains("index a source first"));
    }

    [Test]
    public void A_folder_found_empty_does_not_wipe_its_records()
    {
        var folder = Path.Combine(_root, "mount");
        Write(folder, "a.dcm", "PAT-1", "1.2.3.1", "1.2.3.1.1", "CT", "20200510", "065Y");
        Write(folder, "b.dcm", "PAT-2", "1.2.3.2", "1.2.3.2.1", "MR", "20200510", "065Y");
        using var catalogue = SiteCatalogue.Open(Db);
        var source = new FolderSource("mount", folder, new PseudonymGenerator(SiteSecret.FromBytes(new byte[32])));
        source.Sync(catalogue);
        foreach (var file in Directory.GetFiles(folder))
        {
            File.Delete(file);
        }

        var empty = source.Sync(catalogue);
        Assert.Multiple(() =>
        {
            Assert.That(empty.PruningSkipped, Is.True);
            Assert.That(catalogue.SeriesCount, Is.EqualTo(2), "an unmounted share keeps its records");
            Assert.That(catalogue.GetSource("mount")!.LastError, Does.Contain("were kept"));
        });
    }

    [Test]
    public void Removal_is_limited_to_the_scope_a_sync_looked_at()
    {
        using var catalogue = SiteCatalogue.Open(Db);
        var records = RandomCatalogue.Records(new Random(12), 100, 10, 2);
        catalogue.Upsert(records);
        var removed = catalogue.RemoveSeries("src", new HashSet<string>(), r => r.StudyDate is >= 20150101 and <= 20161231);
        Assert.Multiple(() =>
        {
            Assert.That(removed, Is.EqualTo(records.Count(r => r.StudyDate is >= 20150101 and <= 20161231)));
            Assert.That(catalogue.SeriesCount, Is.EqualTo(100 - removed), "series outside the dates crawled and undated ones stay");
            Assert.That(new DateWindow(new DateOnly(2015, 1, 1), new DateOnly(2015, 1, 1)).Contains(20150101), Is.True);
            Assert.That(new DateWindow(new DateOnly(1980, 1, 1), new DateOnly(2030, 1, 1)).Contains(null), Is.False);
        });
    }

    [Test]
    public async Task A_pacs_that_cannot_be_reached_leaves_the_catalogue_answering_and_says_so()
    {
        using var catalogue = SiteCatalogue.Open(Db);
        catalogue.Upsert(RandomCatalogue.Records(new Random(5), 20, 5, 2));
        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        using var registry = new NodeAgent.Dicom.Network.Client.DicomPeerRegistry();
        var client = new NodeAgent.Dicom.Network.Client.DicomClient(
            new NodeAgent.Dicom.Network.Client.DicomClientOptions { Host = "127.0.0.1", Port = port, CalledAeTitle = "PACS", Resilience = NodeAgent.Dicom.Network.Client.DicomResilienceOptions.Interactive },
            registry);
        var source = new DimseSource("src", client, new PseudonymGenerator(SiteSecret.FromBytes(new byte[32])));
        Assert.That(async () => await source.SyncAsync(catalogue), Throws.Exception);
        Assert.Multiple(() =>
        {
            Assert.That(catalogue.SeriesCount, Is.EqualTo(20), "nothing lost");
            Assert.That(catalogue.GetSource("src")!.LastError, Does.StartWith("the PACS could not be reached"));
            Assert.That(catalogue.GetSource("src")!.LastSuccessfulSync, Is.Null);
        });
    }

    [Test]
    public void Instances_arriving_by_c_store_are_counted_once_each()
    {
        var folder = Path.Combine(_root, "received");
        Write(folder, "a.dcm", "PAT-1", "1.2.3.1", "1.2.3.1.1", "CT", "20200510", "065Y");
        Write(folder, "b.dcm", "PAT-1", "1.2.3.1", "1.2.3.1.1", "CT", "20200510", "065Y");
        Write(folder, "c.dcm", "PAT-1", "1.2.3.1", "1.2.3.1.2", "CT", "20200510", "065Y");
        using (var catalogue = SiteCatalogue.Open(Db))
        {
            var arrivals = new StoreArrivals("store", catalogue, new PseudonymGenerator(SiteSecret.FromBytes(new byte[32])));
            Assert.Multiple(() =>
            {
                Assert.That(arrivals.Index(Path.Combine(folder, "a.dcm")), Is.True);
                Assert.That(arrivals.Index(Path.Combine(folder, "b.dcm")), Is.True);
                Assert.That(arrivals.Index(Path.Combine(folder, "a.dcm")), Is.False, "a resend is not counted again");
                Assert.That(arrivals.Index(Path.Combine(folder, "c.dcm")), Is.True);
            });
            arrivals.Flush();
        }

        using var reader = SiteCatalogue.OpenReadOnly(Db);
        Assert.That(CountEngine.Build(reader.Series()).Count(Criterion.All), Is.EqualTo(new CountResult(1, 1, 2, 3)));
        Assert.That(reader.GetSource("store")!.LastSuccessfulSync, Is.Not.Null);
    }

    [TestCase("065Y", null, null, 65)]
    [TestCase("018M", null, null, 1)]
    [TestCase("003W", null, null, 0)]
    [TestCase(null, "19600615", "20200614", 59)]
    [TestCase(null, "19600615", "20200615", 60)]
    [TestCase("abc", null, null, null)]
    [TestCase(null, "20200101", "19990101", null)]
    public void Age_at_the_study_comes_from_patient_age_or_the_birth_date(string? age, string? birth, string? study, int? expected) =>
        Assert.That(FolderSource.AgeYears(age, Date(birth), Date(study)), Is.EqualTo(expected));

    private static DateOnly? Date(string? text) => text is null ? null : DateOnly.ParseExact(text, "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);

    private static void Write(string folder, string relative, string patientId, string study, string series, string modality, string studyDate, string? age, string? birthDate = null)
    {
        var ds = new DicomDataset();
        ds.AddOrUpdate(DicomTags.SOPClassUID, DicomVR.UI, DicomUids.CTImageStorage);
        ds.AddOrUpdate(DicomTags.SOPInstanceUID, DicomVR.UI, series + "." + Guid.NewGuid().ToString("N")[..8].Aggregate(0, (a, c) => a + c));
        ds.AddOrUpdate(DicomTags.StudyDate, DicomVR.DA, studyDate);
        ds.AddOrUpdate(DicomTags.Modality, DicomVR.CS, modality);
        ds.AddOrUpdate(DicomTags.PatientName, DicomVR.PN, "Doe^Jane");
        ds.AddOrUpdate(DicomTags.PatientID, DicomVR.LO, patientId);
        ds.AddOrUpdate(DicomTags.PatientSex, DicomVR.CS, "F");
        if (age is not null)
        {
            ds.AddOrUpdate(DicomTags.PatientAge, DicomVR.AS, age);
        }

        if (birthDate is not null)
        {
            ds.AddOrUpdate(DicomTags.PatientBirthDate, DicomVR.DA, birthDate);
        }

        ds.AddOrUpdate(DicomTags.StudyInstanceUID, DicomVR.UI, study);
        ds.AddOrUpdate(DicomTags.SeriesInstanceUID, DicomVR.UI, series);
        var path = Path.Combine(folder, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        new DicomFile(ds, DicomTransferSyntax.ExplicitVRLittleEndian).Save(path);
    }

    [Test]
    public void The_writer_connection_reopened_to_bound_its_cache_loses_nothing_and_bulk_reads_see_every_commit()
    {
        using var catalogue = SiteCatalogue.Open(Db);
        catalogue.RecordsBeforeReopen = 7;
        var records = RandomCatalogue.Records(new Random(9), 60, 20, 2);
        foreach (var batch in records.Chunk(5))
        {
            catalogue.Upsert(batch);
            Assert.That(catalogue.Series().Count(), Is.EqualTo(records.IndexOf(batch[^1]) + 1), "a bulk read sees what was just committed");
        }

        var folder = Path.Combine(_root, "received");
        Write(folder, "a.dcm", "PAT-9", "1.2.3.9", "1.2.3.9.1", "CT", "20200510", "065Y");
        var arrivals = new StoreArrivals("store", catalogue, new PseudonymGenerator(SiteSecret.FromBytes(new byte[32])));
        Assert.That(arrivals.Index(Path.Combine(folder, "a.dcm")), Is.True);
        Assert.That(catalogue.RemoveSeries(records[0].Source, new HashSet<string>(records.Skip(10).Select(r => r.SeriesInstanceUid))), Is.EqualTo(records.Take(10).Count(r => r.Source == records[0].Source)));
        Assert.Multiple(() =>
        {
            Assert.That(catalogue.SeriesCount, Is.EqualTo(catalogue.Series().Count()));
            Assert.That(catalogue.Series().Any(r => r.Source == "store"), Is.True, "an arrival (committed without a checkpoint) is seen by the next bulk read");
        });
    }

    [Test]
    public void A_litedb_file_of_another_application_is_refused_and_left_untouched()
    {
        using (var other = new LiteDatabase(Db))
        {
            other.GetCollection("customers").Insert(new BsonDocument { ["name"] = "x" });
        }

        var before = File.ReadAllBytes(Db);
        Assert.That(() => SiteCatalogue.Open(Db), Throws.TypeOf<CatalogueException>().With.Message.Contains("another application").And.Message.Contains("customers"));
        Assert.That(File.ReadAllBytes(Db), Is.EqualTo(before));
    }
}
