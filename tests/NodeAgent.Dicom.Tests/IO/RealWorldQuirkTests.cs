using System.IO.Compression;
using NodeAgent.Dicom.IO;
using NodeAgent.Dicom.Tests.Support;

namespace NodeAgent.Dicom.Tests.IO;

/// <summary>Files real writers produce that bend the standard, and what the codec does with them.</summary>
public class RealWorldQuirkTests
{
    [Test]
    public void Elements_out_of_tag_order_are_sorted_and_the_last_duplicate_wins()
    {
        var raw = RawDicom.Part10(DicomUids.ExplicitVRLittleEndian)
            .Text(0x0010, 0x0020, "LO", "FIRST")
            .Text(0x0008, 0x0060, "CS", "CT")
            .Text(0x0010, 0x0020, "LO", "SECOND");
        for (ushort e = 0x9000; e > 0x1000; e--)
        {
            raw.Element(0x0019, e, "UN", []);
        }

        using var file = DicomFiles.ReadBytes(raw.ToArray());

        var tags = file.Dataset.Select(i => i.Tag.Value).ToList();
        Assert.That(tags, Is.Ordered.And.Unique);
        Assert.That(file.Dataset.GetString(DicomTags.PatientID), Is.EqualTo("SECOND"));
        Assert.That(file.Dataset.Count, Is.EqualTo(2 + 0x8000));
    }

    [Test]
    public void A_file_meta_group_written_in_implicit_VR_is_still_read()
    {
        var meta = new RawDicom(explicitVR: false).Text(0x0002, 0x0010, "UI", DicomUids.ExplicitVRLittleEndian).ToArray();
        var raw = new RawDicom(explicitVR: false).Bytes(new byte[128]).Bytes("DICM"u8.ToArray())
            .Element(0x0002, 0x0000, "UL", RawDicom.Le32((uint)meta.Length)).Bytes(meta);
        raw.ExplicitVR = true;
        raw.Text(0x0010, 0x0020, "LO", "ID7");
        using var file = DicomFiles.ReadBytes(raw.ToArray());

        Assert.That(file.TransferSyntax, Is.EqualTo(DicomTransferSyntax.ExplicitVRLittleEndian));
        Assert.That(file.Dataset.GetString(DicomTags.PatientID), Is.EqualTo("ID7"));
        Assert.That(file.Dataset.Any(i => i.Tag.Group == 2), Is.False);
    }

    [Test]
    public void An_item_that_switches_to_implicit_VR_inside_an_explicit_file_is_read()
    {
        var raw = RawDicom.Part10(DicomUids.ExplicitVRLittleEndian).SequenceHeader(0x0008, 0x1140).Item();
        raw.ExplicitVR = false;
        raw.Text(0x0008, 0x1150, "UI", "1.2.840.10008.5.1.4.1.1.2").Text(0x0008, 0x1155, "UI", "1.2.3").ItemEnd();
        raw.ExplicitVR = true;
        raw.SequenceEnd().Text(0x0010, 0x0020, "LO", "AFTER");
        using var file = DicomFiles.ReadBytes(raw.ToArray());

        var item = file.Dataset.GetSequence(DicomTags.ReferencedImageSequence)!.Items[0];
        Assert.That(item.GetString(DicomTags.ReferencedSOPInstanceUID), Is.EqualTo("1.2.3"));
        Assert.That(file.Dataset.GetString(DicomTags.PatientID), Is.EqualTo("AFTER"), "the switch stays inside the item");
    }

    [Test]
    public void Zeros_padding_the_end_of_a_file_are_not_read_as_elements()
    {
        var path = DicomFiles.WriteTemp(RawDicom.Part10(DicomUids.ExplicitVRLittleEndian).Text(0x0010, 0x0020, "LO", "ID").Bytes(new byte[512]).ToArray());
        using var file = DicomFile.Open(path);

        Assert.That(file.Dataset.Select(i => i.Tag), Is.EqualTo(new[] { DicomTags.PatientID }));
    }

    [Test]
    public void UN_with_undefined_length_on_a_non_sequence_attribute_is_read_as_a_sequence()
    {
        var raw = RawDicom.Part10(DicomUids.ExplicitVRLittleEndian).SequenceHeader(0x0008, 0x0060, vr: "UN");
        raw.ExplicitVR = false;
        raw.Item().Text(0x0008, 0x0100, "SH", "X").ItemEnd().SequenceEnd();
        using var file = DicomFiles.ReadBytes(raw.ToArray());

        Assert.That(file.Dataset.GetSequence(DicomTags.Modality)!.Items[0].GetString(DicomTags.CodeValue), Is.EqualTo("X"));
    }

    [Test]
    public void A_deflated_dataset_wrapped_in_zlib_is_read()
    {
        var body = new RawDicom().Text(0x0010, 0x0020, "LO", "ZLIB").ToArray();
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(body);
        }

        var raw = RawDicom.Part10(DicomUids.DeflatedExplicitVRLittleEndian).Bytes(compressed.ToArray());
        using var file = DicomFiles.ReadBytes(raw.ToArray());

        Assert.That(file.Dataset.GetString(DicomTags.PatientID), Is.EqualTo("ZLIB"));
    }

    [Test]
    public void File_meta_elements_in_a_dataset_are_not_written_into_the_body()
    {
        var ds = new DicomDataset();
        ds.AddOrUpdate(DicomTags.TransferSyntaxUID, DicomVR.UI, DicomUids.ImplicitVRLittleEndian);
        ds.AddOrUpdate(DicomTags.PatientID, "P");
        using var file = DicomFiles.ReadBytes(DicomFiles.Save(new DicomFile(ds, DicomTransferSyntax.ExplicitVRLittleEndian)));

        Assert.That(file.Dataset.Contains(DicomTags.TransferSyntaxUID), Is.False);
        Assert.That(file.FileMetaInformation.GetString(DicomTags.TransferSyntaxUID), Is.EqualTo(DicomUids.ExplicitVRLittleEndian));
    }

    [Test]
    public void Defined_lengths_stay_exact_when_group_lengths_are_removed()
    {
        var item = new DicomDataset();
        item.AddOrUpdate(new DicomElement(new DicomTag(0x0008, 0x0000), DicomVR.UL, RawDicom.Le32(999)));
        item.AddOrUpdate(DicomTags.ReferencedSOPInstanceUID, DicomVR.UI, "1.2.3");
        var ds = new DicomDataset(new DicomSequence(DicomTags.ReferencedImageSequence, item));
        ds.AddOrUpdate(DicomTags.PatientID, "P");
        var options = new DicomWriteOptions { SequenceLength = DicomSequenceLengthEncoding.Defined, RemoveGroupLengths = true };

        using var file = DicomFiles.ReadBytes(DicomFiles.Save(new DicomFile(ds, DicomTransferSyntax.ExplicitVRLittleEndian), options));

        var readItem = file.Dataset.GetSequence(DicomTags.ReferencedImageSequence)!.Items[0];
        Assert.That(readItem.Contains(new DicomTag(0x0008, 0x0000)), Is.False);
        Assert.That(readItem.GetString(DicomTags.ReferencedSOPInstanceUID), Is.EqualTo("1.2.3"));
        Assert.That(file.Dataset.GetString(DicomTags.PatientID), Is.EqualTo("P"));
    }

    [Test]
    public void A_value_left_in_a_file_that_was_changed_since_is_refused()
    {
        var path = DicomFiles.WriteTemp(RawDicom.Part10(DicomUids.ExplicitVRLittleEndian).Element(0x7FE0, 0x0010, "OB", new byte[200_000]).ToArray());
        using var file = DicomFile.Open(path);
        using (var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            stream.Write(new byte[16]);
        }

        var ex = Assert.Throws<DicomException>(() => file.Dataset.GetElement(DicomTags.PixelData)!.GetBytes());
        Assert.That(ex!.Message, Does.Contain("modified after it was opened"));
    }

    [Test]
    public void A_file_can_be_saved_over_while_it_is_open()
    {
        var path = DicomFiles.WriteTemp(RawDicom.Part10(DicomUids.ExplicitVRLittleEndian).Text(0x0010, 0x0020, "LO", "OLD").ToArray());
        using (var file = DicomFile.Open(path))
        {
            file.Dataset.AddOrUpdate(DicomTags.PatientID, "NEW");
            file.Save(path);
        }

        using var again = DicomFile.Open(path);
        Assert.That(again.Dataset.GetString(DicomTags.PatientID), Is.EqualTo("NEW"));
    }

    [Test]
    public void Spool_files_leave_no_name_behind()
    {
        var spoolDirectory = Path.GetDirectoryName(DicomFiles.TempPath())!;
        var bytes = RawDicom.Part10(DicomUids.ExplicitVRLittleEndian).Element(0x7FE0, 0x0010, "OB", new byte[300_000]).ToArray();
        using var file = DicomFile.Read(new ForwardOnlyStream(bytes, 8192), new DicomReadOptions { SpoolThreshold = 100_000, SpoolDirectory = spoolDirectory });

        Assert.That(file.Dataset.GetElement(DicomTags.PixelData)!.IsExternal, Is.True);
        if (!OperatingSystem.IsWindows())
        {
            Assert.That(Directory.GetFiles(spoolDirectory), Is.Empty, "the spool file is unlinked at once on Unix");
        }

        Assert.That(file.Dataset.GetElement(DicomTags.PixelData)!.GetBytes().Length, Is.EqualTo(300_000));
    }

    [Test]
    public void A_file_truncated_between_elements_of_a_sequence_is_refused_unless_allowed()
    {
        var raw = RawDicom.Part10(DicomUids.ExplicitVRLittleEndian)
            .Text(0x0004, 0x1130, "CS", "ROOT")
            .SequenceHeader(0x0004, 0x1220, 1000)
            .Item(28).Text(0x0004, 0x1430, "CS", "PATIENT").Text(0x0010, 0x0020, "LO", "ID1")
            .Item(500).Text(0x0004, 0x1430, "CS", "STUDY");
        var path = DicomFiles.WriteTemp(raw.ToArray());

        var ex = Assert.Throws<DicomParseException>(() => DicomFile.Open(path));
        Assert.That(ex!.Error, Is.EqualTo(DicomParseError.LengthOutOfRange));

        using var file = DicomFile.Open(path, new DicomReadOptions { AllowTruncatedContainers = true });
        var records = file.Dataset.GetSequence(DicomTags.DirectoryRecordSequence)!;
        Assert.That(records.Count, Is.EqualTo(2));
        Assert.That(records[1].GetString(DicomTags.DirectoryRecordType), Is.EqualTo("STUDY"));
        Assert.That(file.Dataset.IsPartial, Is.True);
    }

    [Test]
    public void A_value_cut_in_the_middle_is_an_error_even_when_truncated_containers_are_allowed()
    {
        var raw = RawDicom.Part10(DicomUids.ExplicitVRLittleEndian)
            .SequenceHeader(0x0004, 0x1220, 1000)
            .Item(500).Element(0x0004, 0x1430, "CS", "STU"u8.ToArray(), declaredLength: 6);
        var path = DicomFiles.WriteTemp(raw.ToArray());

        var ex = Assert.Throws<DicomParseException>(() => DicomFile.Open(path, new DicomReadOptions { AllowTruncatedContainers = true }));
        Assert.That(ex!.Error, Is.EqualTo(DicomParseError.LengthOutOfRange));
    }
}
