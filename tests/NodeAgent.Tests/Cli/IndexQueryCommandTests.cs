using System.Text.Json;
using NodeAgent.Cli;
using NodeAgent.Dicom;

namespace NodeAgent.Tests.Cli;

/// <summary><c>nodeagent index</c> and <c>nodeagent query count|facets</c>: outputs, formats and errors.</summary>
public class IndexQueryCommandTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder()
    {
        _folder = Directory.CreateTempSubdirectory("nodeagent-cli-index-").FullName;
        var export = Path.Combine(_folder, "export");
        Directory.CreateDirectory(export);
        for (var i = 0; i < 5; i++)
        {
            var ds = new DicomDataset();
            ds.AddOrUpdate(DicomTags.SOPClassUID, DicomVR.UI, DicomUids.CTImageStorage);
            ds.AddOrUpdate(DicomTags.SOPInstanceUID, DicomVR.UI, $"1.2.826.0.1.3680043.8.498.5.{i}");
            ds.AddOrUpdate(DicomTags.StudyInstanceUID, DicomVR.UI, $"1.2.826.0.1.3680043.8.498.6.{i % 2}");
            ds.AddOrUpdate(DicomTags.SeriesInstanceUID, DicomVR.UI, $"1.2.826.0.1.3680043.8.498.7.{i % 2}");
            ds.AddOrUpdate(DicomTags.Modality, DicomVR.CS, i % 2 == 0 ? "CT" : "MR");
            ds.AddOrUpdate(DicomTags.StudyDate, DicomVR.DA, i % 2 == 0 ? "20190301" : "20220301");
            ds.AddOrUpdate(DicomTags.PatientID, DicomVR.LO, "ID-" + (i % 2));
            ds.AddOrUpdate(DicomTags.PatientSex, DicomVR.CS, "M");
            ds.AddOrUpdate(DicomTags.PatientAge, DicomVR.AS, "061Y");
            new DicomFile(ds, DicomTransferSyntax.ExplicitVRLittleEndian).Save(Path.Combine(export, $"{i}.dcm"));
        }
    }

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_folder, recursive: true);

    [Test]
    public async Task A_folder_is_indexed_and_counted_in_table_and_json()
    {
        var db = Path.Combine(_folder, "catalogue.db");
        var (exit, stdout, stderr) = await RunAsync("index", "--source", "folder:" + Path.Combine(_folder, "export"), "--db", db);
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, stderr);
            Assert.That(stdout, Does.Contain("5 files, 2 series, 5 instances indexed"));
            Assert.That(stderr, Does.Contain("development secret"));
        });

        var (countExit, table, _) = await RunAsync("query", "count", "--db", db, "--modality", "CT", "--study-date", "2018-01-01..2020-12-31", "--age", "50-70");
        Assert.That(countExit, Is.Zero);
        Assert.That(table, Does.StartWith("studies: 1"));

        var (_, json, _) = await RunAsync("query", "count", "--db", db, "--level", "instances", "--sex", "M", "--format", "json");
        using var document = JsonDocument.Parse(json);
        Assert.Multiple(() =>
        {
            Assert.That(document.RootElement.GetProperty("level").GetString(), Is.EqualTo("instances"));
            Assert.That(document.RootElement.GetProperty("count").GetInt64(), Is.EqualTo(5));
            Assert.That(document.RootElement.GetProperty("patients").GetInt64(), Is.EqualTo(2));
            var source = document.RootElement.GetProperty("sources")[0];
            Assert.That((source.GetProperty("studiesSeen").GetInt32(), source.GetProperty("studiesIndexed").GetInt32(), source.GetProperty("lastSyncComplete").GetBoolean()), Is.EqualTo((2, 2, true)));
        });

        var (_, facets, _) = await RunAsync("query", "facets", "--db", db, "--by", "Modality", "--level", "instances");
        Assert.That(facets.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()), Is.EqualTo(new[] { "3  CT", "2  MR" }));
    }

    [Test]
    public async Task Bad_sources_filters_and_catalogues_get_one_line_and_exit_1()
    {
        var db = Path.Combine(_folder, "none.db");
        var cases = new (string[] Args, string Message)[]
        {
            (["index", "--source", "wado://127.0.0.1:8042/dicom-web", "--db", db], "is not known"),
            (["index", "--source", "dimse://PACS-without-port", "--db", db], "use dimse://AET@HOST:PORT"),
            (["index", "--source", "folder:" + Path.Combine(_folder, "nope"), "--db", db], "does not exist"),
            (["query", "count", "--db", db], "No catalogue at"),
            (["query", "count", "--db", db, "--age", "fifty"], "--age 'fifty'"),
            (["query", "count", "--db", db, "--study-date", "2020-13-45"], "is not a date"),
            (["query", "count", "--db", db, "--sex", "X"], "use M, F or O"),
        };
        foreach (var (args, message) in cases)
        {
            var (exit, _, stderr) = await RunAsync(args);
            Assert.That(exit, Is.EqualTo(1), string.Join(' ', args));
            Assert.That(stderr, Does.Contain(message), string.Join(' ', args));
        }
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await NodeAgentCommandLine.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
