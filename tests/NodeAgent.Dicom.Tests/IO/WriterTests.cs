using System.Buffers.Binary;
using NodeAgent.Dicom.IO;
using NodeAgent.Dicom.Tests.Support;

namespace NodeAgent.Dicom.Tests.IO;

public class WriterTests
{
    private static DicomDataset SampleDataset()
    {
        var ds = new DicomDataset();
        ds.AddOrUpdate(DicomTags.SOPClassUID, DicomVR.UI, DicomUids.CTImageStorage);
        ds.AddOrUpdate(DicomTags.SOPInstanceUID, DicomVR.UI, "1.2.3.4.5");
        ds.AddOrUpdate(DicomTags.PatientName, "Doe^Jane");
        ds.AddOrUpdate(DicomTags.Modality, "CT");
        ds.AddOrUpdate(DicomTags.Rows, DicomVR.US, (ushort)2);
        ds.AddOrUpdate(DicomTags.Columns, DicomVR.US, (ushort)3);
        ds.AddOrUpdate(DicomTags.PixelSpacing, DicomVR.DS, "0.5", "0.25");
        ds.AddOrUpdate(DicomTags.RescaleSlope, DicomVR.DS, "1");
        ds.AddOrUpdate(new DicomElement(DicomTags.FrameIncrementPointer, DicomVR.AT, new byte[] { 0x18, 0x00, 0x63, 0x10 }));
        ds.AddOrUpdate(DicomTags.ReconstructionDiameter, DicomVR.DS, "350.0");
        ds.AddOrUpdate(new DicomSequence(DicomTags.ReferencedImageSequence, new DicomDataset().AddOrUpdate(DicomTags.ReferencedSOPInstanceUID, DicomVR.UI, "1.2.3")));
        ds.AddOrUpdate(DicomTags.PixelData, DicomVR.OW, (ushort)1, (ushort)2, (ushort)3, (ushort)0x0102, (ushort)5, (ushort)6);
        return ds;
    }

    [Test]
    public void File_meta_information_is_regenerated_with_our_implementation_identity()
    {
        var file = new DicomFile(SampleDataset(), DicomTransferSyntax.ExplicitVRLittleEndian);
        var bytes = DicomFiles.Save(file);

        Assert.That(bytes.AsSpan(0, 128).ToArray(), Is.All.EqualTo(0));
        Assert.That(bytes.AsSpan(128, 4).SequenceEqual("DICM"u8), Is.True);
        using var read = DicomFiles.ReadBytes(bytes);
        var meta = read.FileMetaInformation;
        Assert.That(meta.GetString(DicomTags.ImplementationClassUID), Is.EqualTo(DicomImplementation.ClassUid));
        Assert.That(meta.GetString(DicomTags.ImplementationVersionName), Is.EqualTo(DicomImplementation.VersionName));
        Assert.That(meta.GetString(DicomTags.MediaStorageSOPClassUID), Is.EqualTo(DicomUids.CTImageStorage));
        Assert.That(meta.GetString(DicomTags.MediaStorageSOPInstanceUID), Is.EqualTo("1.2.3.4.5"));
        Assert.That(meta.GetString(DicomTags.TransferSyntaxUID), Is.EqualTo(DicomUids.ExplicitVRLittleEndian));

        // The group length counts every meta byte after itself: 132 preamble bytes + 12 for the length element.
        var groupLength = meta.GetValue<uint>(DicomTags.FileMetaInformationGroupLength)!.Value;
        var firstDatasetTag = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan((int)(132 + 12 + groupLength)));
        Assert.That(firstDatasetTag, Is.EqualTo(0x0008));
    }

    [Test]
    public void Every_value_has_even_length_padded_as_its_VR_requires()
    {
        var ds = new DicomDataset();
        ds.AddOrUpdate(new DicomElement(DicomTags.SOPInstanceUID, DicomVR.UI, "1.2.3"u8.ToArray()));
        ds.AddOrUpdate(new DicomElement(DicomTags.PatientID, DicomVR.LO, "ABC"u8.ToArray()));
        ds.AddOrUpdate(new DicomElement(new DicomTag(0x0009, 0x1001), DicomVR.OB, new byte[] { 1, 2, 3 }));
        var bytes = DicomFiles.Save(new DicomFile(ds, DicomTransferSyntax.ExplicitVRLittleEndian));

        using var read = DicomFiles.ReadBytes(bytes);
        Assert.That(read.Dataset.GetElement(DicomTags.SOPInstanceUID)!.GetBytes().ToArray(), Is.EqualTo("1.2.3\0"u8.ToArray()));
        Assert.That(read.Dataset.GetElement(DicomTags.PatientID)!.GetBytes().ToArray(), Is.EqualTo("ABC "u8.ToArray()));
        Assert.That(read.Dataset.GetElement(new DicomTag(0x0009, 0x1001))!.GetBytes().ToArray(), Is.EqualTo(new byte[] { 1, 2, 3, 0 }));
    }

    [TestCase(DicomUids.ImplicitVRLittleEndian)]
    [TestCase(DicomUids.ExplicitVRLittleEndian)]
    [TestCase(DicomUids.ExplicitVRBigEndian)]
    [TestCase(DicomUids.DeflatedExplicitVRLittleEndian)]
    public void A_dataset_survives_every_uncompressed_syntax(string uid)
    {
        var syntax = DicomTransferSyntax.FromUid(uid);
        var original = SampleDataset();
        var bytes = DicomFiles.Save(new DicomFile(original, syntax));

        using var read = DicomFiles.ReadBytes(bytes);
        Assert.That(read.TransferSyntax, Is.EqualTo(syntax));
        Assert.That(DicomDatasetDiff.Compare(original, read.Dataset), Is.Empty);
        Assert.That(read.Dataset.GetValues<ushort>(DicomTags.PixelData)[3], Is.EqualTo(0x0102));
    }

    [Test]
    public void A_deflated_data_set_is_padded_to_even_length()
    {
        // Deflate output has whatever length the compressor gives; a dozen different values make odd
        // lengths certain, and each must gain the trailing NUL PS3.5 A.5 asks for and still read back.
        var lengths = new HashSet<int>();
        for (var i = 0; i < 12; i++)
        {
            var original = SampleDataset();
            original.AddOrUpdate(DicomTags.StudyDescription, new string('x', i) + "study " + (i * 7919));
            var bytes = DicomFiles.Save(new DicomFile(original, DicomTransferSyntax.DeflatedExplicitVRLittleEndian));
            lengths.Add(bytes.Length);

            Assert.That(bytes.Length % 2, Is.Zero, $"variant {i}");
            using var read = DicomFiles.ReadBytes(bytes);
            Assert.That(DicomDatasetDiff.Compare(original, read.Dataset), Is.Empty, $"variant {i}");
        }

        Assert.That(lengths, Has.Count.GreaterThan(3), "the variants must deflate to different lengths");
    }

    [Test]
    public void Big_endian_output_swaps_binary_values_but_not_bytes_or_text()
    {
        var bytes = DicomFiles.Save(new DicomFile(SampleDataset(), DicomTransferSyntax.ExplicitVRLittleEndian), new DicomWriteOptions { TransferSyntax = DicomTransferSyntax.ExplicitVRBigEndian });
        using var read = DicomFiles.ReadBytes(bytes);

        var pixels = read.Dataset.GetElement(DicomTags.PixelData)!;
        Assert.That(pixels.IsBigEndian, Is.True);
        Assert.That(pixels.GetBytes().Span[6..8].ToArray(), Is.EqualTo(new byte[] { 0x01, 0x02 }), "OW stored big endian");
        Assert.That(read.Dataset.GetElement(DicomTags.Rows)!.GetBytes().ToArray(), Is.EqualTo(new byte[] { 0, 2 }));
        Assert.That(read.Dataset.GetString(DicomTags.PatientName), Is.EqualTo("Doe^Jane"));
    }

    [Test]
    public void Group_lengths_that_are_present_are_recalculated_or_removed_on_request()
    {
        var ds = SampleDataset();
        ds.AddOrUpdate(new DicomElement(new DicomTag(0x0028, 0x0000), DicomVR.UL, RawDicom.Le32(12345)));
        var file = new DicomFile(ds, DicomTransferSyntax.ExplicitVRLittleEndian);

        using (var read = DicomFiles.ReadBytes(DicomFiles.Save(file)))
        {
            // (0028,0009) AT: 8-byte header + 4; (0028,0010), (0028,0011) US: 8 + 2 each; (0028,0030) DS "0.5\0.25": 8 + 8; (0028,1053) DS "1 ": 8 + 2.
            Assert.That(read.Dataset.GetValue<uint>(new DicomTag(0x0028, 0x0000)), Is.EqualTo(12 + 10 + 10 + 16 + 10));
        }

        using var without = DicomFiles.ReadBytes(DicomFiles.Save(file, new DicomWriteOptions { RemoveGroupLengths = true }));
        Assert.That(without.Dataset.Contains(new DicomTag(0x0028, 0x0000)), Is.False);
    }

    [Test]
    public void Defined_length_sequences_are_written_with_exact_lengths()
    {
        var original = SampleDataset();
        var nested = new DicomDataset().AddOrUpdate(DicomTags.CodeValue, "X");
        original.GetSequence(DicomTags.ReferencedImageSequence)!.Items[0].AddOrUpdate(new DicomSequence(DicomTags.PurposeOfReferenceCodeSequence, nested));
        var bytes = DicomFiles.Save(new DicomFile(original, DicomTransferSyntax.ImplicitVRLittleEndian), new DicomWriteOptions { SequenceLength = DicomSequenceLengthEncoding.Defined });

        Assert.That(bytes.AsSpan().IndexOf(new byte[] { 0xFE, 0xFF, 0xDD, 0xE0 }), Is.EqualTo(-1), "no sequence delimiters");
        using var read = DicomFiles.ReadBytes(bytes);
        Assert.That(DicomDatasetDiff.Compare(original, read.Dataset), Is.Empty);
    }

    [Test]
    public void A_value_too_long_for_a_16_bit_length_is_written_as_UN()
    {
        var ds = new DicomDataset();
        ds.AddOrUpdate(new DicomElement(DicomTags.ImageComments, DicomVR.LT, new byte[70_000]));
        ds.AddOrUpdate(new DicomElement(DicomTags.PatientID, DicomVR.LO, new byte[70_000]));
        using var read = DicomFiles.ReadBytes(DicomFiles.Save(new DicomFile(ds, DicomTransferSyntax.ExplicitVRLittleEndian)));

        // LT has a 16-bit length in explicit VR; UN (32-bit) keeps the bytes, and UN of a known tag is read back in its dictionary VR.
        Assert.That(read.Dataset.GetElement(DicomTags.PatientID)!.Length, Is.EqualTo(70_000));
        Assert.That(read.Dataset.GetElement(DicomTags.PatientID)!.VR, Is.EqualTo(DicomVR.LO));
        Assert.That(read.Dataset.GetElement(DicomTags.ImageComments)!.Length, Is.EqualTo(70_000));
    }

    [Test]
    public void Encapsulated_pixel_data_is_passed_through_byte_for_byte()
    {
        var raw = RawDicom.Part10(DicomUids.JPEG2000Lossless)
            .Text(0x0008, 0x0016, "UI", DicomUids.CTImageStorage)
            .SequenceHeader(0x7FE0, 0x0010, vr: "OB").Item(0).Item(6).Bytes([0xFF, 0x4F, 0xFF, 0x51, 1, 2]).SequenceEnd();
        using var source = DicomFiles.ReadBytes(raw.ToArray());
        var written = DicomFiles.Save(source);

        Assert.That(written.AsSpan().IndexOf(new byte[] { 0xFE, 0xFF, 0x00, 0xE0, 6, 0, 0, 0, 0xFF, 0x4F, 0xFF, 0x51, 1, 2 }), Is.GreaterThan(0));
        using var read = DicomFiles.ReadBytes(written);
        Assert.That(read.TransferSyntax.Uid, Is.EqualTo(DicomUids.JPEG2000Lossless));
        Assert.That(DicomDatasetDiff.Compare(source.Dataset, read.Dataset), Is.Empty);
    }

    [Test]
    public void Compressed_pixel_data_cannot_be_written_in_another_syntax()
    {
        var raw = RawDicom.Part10(DicomUids.JPEGBaseline8Bit)
            .SequenceHeader(0x7FE0, 0x0010, vr: "OB").Item(0).Item(2).Bytes([0xFF, 0xD8]).SequenceEnd();
        using var source = DicomFiles.ReadBytes(raw.ToArray());

        var ex = Assert.Throws<DicomException>(() => DicomFiles.Save(source, new DicomWriteOptions { TransferSyntax = DicomTransferSyntax.ExplicitVRLittleEndian }));
        Assert.That(ex!.Message, Does.Contain("no image codecs"));
    }

    [Test]
    public void Save_never_leaves_a_partial_file_behind()
    {
        var path = DicomFiles.TempPath("out.dcm");
        var ds = SampleDataset();
        ds.AddOrUpdate(new DicomElement(DicomTags.PixelData, DicomVR.OW, new FailingBuffer(1 << 20)));

        Assert.Throws<IOException>(() => new DicomFile(ds, DicomTransferSyntax.ExplicitVRLittleEndian).Save(path));
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(path)!), Is.Empty);
    }

    [Test]
    public void Save_replaces_the_target_only_when_complete()
    {
        var path = DicomFiles.TempPath("out.dcm");
        new DicomFile(SampleDataset(), DicomTransferSyntax.ExplicitVRLittleEndian).Save(path);

        using var read = DicomFile.Open(path);
        Assert.That(read.Dataset.GetString(DicomTags.PatientName), Is.EqualTo("Doe^Jane"));
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(path)!), Has.Length.EqualTo(1));
    }

    [Test]
    public async Task Values_kept_in_the_source_file_are_copied_exactly_into_a_saved_file()
    {
        var pixels = Enumerable.Range(0, 3_000_001).Select(i => (byte)(i * 13)).ToArray();
        var source = DicomFiles.WriteTemp(RawDicom.Part10(DicomUids.ExplicitVRLittleEndian)
            .Text(0x0008, 0x0016, "UI", DicomUids.CTImageStorage)
            .Element(0x7FE0, 0x0010, "OB", pixels)
            .Element(0xFFFC, 0xFFFC, "OB", [7, 7]).ToArray());
        var target = DicomFiles.TempPath("copy.dcm");
        using (var file = DicomFile.Open(source))
        {
            Assert.That(file.Dataset.GetElement(DicomTags.PixelData)!.IsExternal, Is.True);
            file.Save(target);
            await file.SaveAsync(target + ".async");
        }

        foreach (var path in new[] { target, target + ".async" })
        {
            using var copy = DicomFile.Open(path);
            Assert.That(copy.Dataset.GetElement(DicomTags.PixelData)!.GetBytes().ToArray(), Is.EqualTo(pixels.Append((byte)0).ToArray()), "odd length padded with NUL");
            Assert.That(copy.Dataset.GetElement(DicomTags.DataSetTrailingPadding)!.GetBytes().ToArray(), Is.EqualTo(new byte[] { 7, 7 }));
        }
    }

    /// <summary>A value whose source fails half-way, as a disk error would.</summary>
    private sealed class FailingBuffer(long length) : DicomBuffer
    {
        public override long Length => length;

        public override int Read(long offset, Span<byte> destination) =>
            offset > length / 2 ? throw new IOException("simulated read error") : Math.Min(destination.Length, (int)Math.Min(int.MaxValue, length - offset));

        public override ValueTask<int> ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default) =>
            new(Read(offset, destination.Span));
    }
}
