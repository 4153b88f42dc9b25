using System.Text.Json;
using NodeAgent.Cli;
using NodeAgent.Dicom;

namespace NodeAgent.Tests.Cli;

public class DicomJsonCommandTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder()
    {
        _folder = Path.Combine(Path.GetTempPath(), $"nodeagent-cli-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_folder, recursive: true);

    [Test]
    public async Task Each_file_becomes_one_line_of_DICOM_JSON_in_argument_order()
    {
        var first = WriteFile("a.dcm", "FIRST", "ISO_IR 192", "Ærøskøbing^Åse");
        var second = WriteFile("b.dcm", "SECOND", null, "Plain^Name");

        var (exit, stdout, stderr) = await RunAsync("dicom", "json", second, first);

        Assert.That(exit, Is.Zero);
        Assert.That(stderr, Is.Empty);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(2));
        using var secondJson = JsonDocument.Parse(lines[0]);
        using var firstJson = JsonDocument.Parse(lines[1]);
        Assert.That(secondJson.RootElement.GetProperty("00100020").GetProperty("Value")[0].GetString(), Is.EqualTo("SECOND"));
        Assert.That(firstJson.RootElement.GetProperty("00100010").GetProperty("Value")[0].GetProperty("Alphabetic").GetString(), Is.EqualTo("Ærøskøbing^Åse"));
        Assert.That(firstJson.RootElement.EnumerateObject().Any(p => p.Name.StartsWith("0002", StringComparison.Ordinal)), Is.False, "no file meta");
        Assert.That(firstJson.RootElement.GetProperty("7FE00010").GetProperty("InlineBinary").GetString(), Is.EqualTo(Convert.ToBase64String(new byte[] { 1, 0, 2, 0 })));
    }

    [Test]
    public async Task A_file_that_cannot_be_read_is_reported_on_stderr_and_the_others_still_print()
    {
        var good = WriteFile("good.dcm", "GOOD", null, "A^B");
        var bad = Path.Combine(_folder, "bad.dcm");
        File.WriteAllText(bad, "not a DICOM file at all");
        var missing = Path.Combine(_folder, "missing.dcm");

        var (exit, stdout, stderr) = await RunAsync("dicom", "json", bad, good, missing);

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1));
        Assert.That(stdout, Does.Contain("GOOD"));
        var errors = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(errors, Has.Length.EqualTo(2));
        Assert.That(errors[0], Does.Contain("bad.dcm").And.Contain("NotDicom"));
        Assert.That(errors[1], Does.Contain("missing.dcm").And.Contain("no such file"));
    }

    [Test]
    public async Task A_file_truncated_between_sequence_elements_is_read_only_when_allowed()
    {
        var ds = new DicomDataset(new DicomSequence(DicomTags.ReferencedImageSequence,
            new DicomDataset().AddOrUpdate(DicomTags.ReferencedSOPInstanceUID, DicomVR.UI, "1.2.3"),
            new DicomDataset().AddOrUpdate(DicomTags.ReferencedSOPInstanceUID, DicomVR.UI, "1.2.4")));
        ds.AddOrUpdate(DicomTags.SOPClassUID, DicomVR.UI, DicomUids.SecondaryCaptureImageStorage);
        var full = Path.Combine(_folder, "seq.dcm");
        new DicomFile(ds, DicomTransferSyntax.ExplicitVRLittleEndian).Save(full, new NodeAgent.Dicom.IO.DicomWriteOptions { SequenceLength = NodeAgent.Dicom.IO.DicomSequenceLengthEncoding.Defined });
        var all = File.ReadAllBytes(full);
        // Cut just before the second item's only element: the file ends between elements.
        var cut = all.AsSpan().LastIndexOf(new byte[] { 0x08, 0x00, 0x55, 0x11 });
        var truncated = Path.Combine(_folder, "truncated.dcm");
        File.WriteAllBytes(truncated, all[..cut]);

        var (strictExit, _, strictErrors) = await RunAsync("dicom", "json", truncated);
        var (lenientExit, lenientOut, _) = await RunAsync("dicom", "json", "--allow-truncated", truncated);

        Assert.That(strictExit, Is.EqualTo(1));
        Assert.That(strictErrors, Does.Contain("LengthOutOfRange"));
        Assert.That(lenientExit, Is.Zero);
        Assert.That(lenientOut, Does.Contain("1.2.3").And.Not.Contain("1.2.4"));
    }

    [Test]
    public async Task Without_files_the_command_explains_itself_and_fails()
    {
        var (exit, _, stderr) = await RunAsync("dicom", "json");

        Assert.That(exit, Is.Not.Zero);
        Assert.That(stderr, Does.Contain("Required argument missing"));
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await NodeAgentCommandLine.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private string WriteFile(string name, string patientId, string? characterSet, string patientName)
    {
        var ds = new DicomDataset();
        if (characterSet is not null)
        {
            ds.AddOrUpdate(DicomTags.SpecificCharacterSet, DicomVR.CS, characterSet);
        }

        ds.AddOrUpdate(DicomTags.SOPClassUID, DicomVR.UI, DicomUids.SecondaryCaptureImageStorage);
        ds.AddOrUpdate(DicomTags.SOPInstanceUID, DicomVR.UI, "1.2.826.0.1.3680043.8.498.42");
        ds.AddOrUpdate(DicomTags.PatientName, patientName);
        ds.AddOrUpdate(DicomTags.PatientID, patientId);
        ds.AddOrUpdate(DicomTags.PixelData, DicomVR.OW, (ushort)1, (ushort)2);
        var path = Path.Combine(_folder, name);
        new DicomFile(ds, DicomTransferSyntax.ExplicitVRLittleEndian).Save(path);
        return path;
    }
}
