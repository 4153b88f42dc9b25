using System.Buffers.Binary;
using NodeAgent.Dicom.IO;
using NodeAgent.Dicom.Tests.Support;
using NodeAgent.Dicom.Values;

namespace NodeAgent.Dicom.Tests.IO;

public class ReaderTests
{
    [Test]
    public void Explicit_little_endian_values_are_read_with_typed_accessors()
    {
        var raw = RawDicom.Part10(DicomUids.ExplicitVRLittleEndian)
            .Text(0x0008, 0x0008, "CS", "ORIGINAL\\PRIMARY\\AXIAL")
            .Text(0x0008, 0x0020, "DA", "20240229")
            .Text(0x0008, 0x0030, "TM", "101502.123")
            .Text(0x0008, 0x002A, "DT", "20240229101502+0100")
            .Text(0x0010, 0x0010, "PN", "Doe^John^^Dr=ドウ^ジョン")
            .Text(0x0018, 0x0050, "DS", "1.25")
            .Text(0x0020, 0x0013, "IS", "42")
            .UShort(0x0028, 0x0010, 512)
            .Element(0x0028, 0x0009, "AT", [0x18, 0x00, 0x63, 0x10]);
        using var file = DicomFiles.ReadBytes(raw.ToArray());
        var ds = file.Dataset;

        Assert.That(file.TransferSyntax, Is.EqualTo(DicomTransferSyntax.ExplicitVRLittleEndian));
        Assert.That(ds.GetStrings(DicomTags.ImageType), Is.EqualTo(new[] { "ORIGINAL", "PRIMARY", "AXIAL" }));
        Assert.That(ds.GetDate(DicomTags.StudyDate), Is.EqualTo(new DateOnly(2024, 2, 29)));
        Assert.That(ds.GetTime(DicomTags.StudyTime)!.Value.Value, Is.EqualTo(new TimeOnly(10, 15, 2, 123)));
        Assert.That(ds.GetTime(DicomTags.StudyTime)!.Value.Precision, Is.EqualTo(DicomTimePrecision.Fraction));
        Assert.That(ds.GetDateTime(DicomTags.AcquisitionDateTime)!.Value.Offset, Is.EqualTo(TimeSpan.FromHours(1)));
        Assert.That(ds.GetValue<double>(DicomTags.SliceThickness), Is.EqualTo(1.25));
        Assert.That(ds.GetValue<int>(DicomTags.InstanceNumber), Is.EqualTo(42));
        Assert.That(ds.GetValue<ushort>(DicomTags.Rows), Is.EqualTo(512));
        Assert.That(ds.GetTags(DicomTags.FrameIncrementPointer), Is.EqualTo(new[] { DicomTags.FrameTime }));
        var name = ds.GetPersonName(DicomTags.PatientName)!;
        Assert.That(name.Alphabetic.FamilyName, Is.EqualTo("Doe"));
        Assert.That(name.Alphabetic.GivenName, Is.EqualTo("John"));
        Assert.That(name.Alphabetic.NamePrefix, Is.EqualTo("Dr"));
    }

    [Test]
    public void Implicit_VR_takes_VRs_from_the_standard_and_private_dictionaries()
    {
        var raw = RawDicom.Part10(DicomUids.ImplicitVRLittleEndian, explicitVR: false)
            .Text(0x0009, 0x0010, "LO", "GEMS_IDEN_01")
            .Element(0x0009, 0x1027, "SL", RawDicom.Le32(1_600_000_000))
            .Text(0x0009, 0x0011, "LO", "SOMEONE ELSE")
            .Element(0x0009, 0x1127, "??", RawDicom.Le32(7))
            .Text(0x0010, 0x0020, "LO", "ID1")
            .UShort(0x0028, 0x0103, 1)
            .Element(0x0028, 0x0106, "??", [0xFF, 0xFF]);
        using var file = DicomFiles.ReadBytes(raw.ToArray());
        var ds = file.Dataset;

        Assert.That(ds.GetElement(new DicomTag(0x0009, 0x0010))!.VR, Is.EqualTo(DicomVR.LO));
        Assert.That(ds.GetElement(new DicomTag(0x0009, 0x1027))!.VR, Is.EqualTo(DicomVR.SL), "known private creator and offset");
        Assert.That(ds.GetElement(new DicomTag(0x0009, 0x1127))!.VR, Is.EqualTo(DicomVR.UN), "unknown private creator");
        Assert.That(ds.GetElement(DicomTags.PatientID)!.VR, Is.EqualTo(DicomVR.LO));
        Assert.That(ds.GetElement(DicomTags.SmallestImagePixelValue)!.VR, Is.EqualTo(DicomVR.SS), "US or SS follows Pixel Representation");
        Assert.That(ds.GetValue<int>(DicomTags.SmallestImagePixelValue), Is.EqualTo(-1));
        Assert.That(ds.GetPrivateBlock(0x0009, "GEMS_IDEN_01")!.Tag(0x27), Is.EqualTo(new DicomTag(0x0009, 0x1027)));
    }

    [Test]
    public void Explicit_big_endian_numbers_are_swapped_on_access()
    {
        var raw = RawDicom.Part10(DicomUids.ExplicitVRBigEndian, bigEndian: true)
            .UShort(0x0028, 0x0010, 0x0102)
            .Element(0x0028, 0x0009, "AT", [0x00, 0x18, 0x10, 0x63]);
        using var file = DicomFiles.ReadBytes(raw.ToArray());

        Assert.That(file.Dataset.GetValue<ushort>(DicomTags.Rows), Is.EqualTo(0x0102));
        Assert.That(file.Dataset.GetTags(DicomTags.FrameIncrementPointer), Is.EqualTo(new[] { DicomTags.FrameTime }));
    }

    [Test]
    public void UN_with_undefined_length_is_read_as_an_implicit_VR_sequence()
    {
        var raw = RawDicom.Part10(DicomUids.ExplicitVRLittleEndian);
        raw.SequenceHeader(0x0011, 0x1001, vr: "UN");
        raw.ExplicitVR = false;
        raw.Item().Text(0x0008, 0x0100, "SH", "CODE1").ItemEnd().SequenceEnd();
        raw.ExplicitVR = true;
        raw.Text(0x0020, 0x000D, "UI", "1.2.3");
        using var file = DicomFiles.ReadBytes(raw.ToArray());

        var sequence = file.Dataset.GetSequence(new DicomTag(0x0011, 0x1001));
        Assert.That(sequence, Is.Not.Null);
        Assert.That(sequence!.Items[0].GetString(DicomTags.CodeValue), Is.EqualTo("CODE1"));
        Assert.That(file.Dataset.GetString(DicomTags.StudyInstanceUID), Is.EqualTo("1.2.3"));
    }

    [Test]
    public void A_private_sequence_of_defined_length_in_implicit_VR_is_recognised()
    {
        var item = new RawDicom(explicitVR: false).Text(0x0008, 0x0100, "SH", "X1").ToArray();
        var raw = RawDicom.Part10(DicomUids.ImplicitVRLittleEndian, explicitVR: false)
            .Text(0x0029, 0x0010, "LO", "UNKNOWN VENDOR")
            .SequenceHeader(0x0029, 0x1001, (uint)(item.Length + 8))
            .Item((uint)item.Length).Bytes(item);
        using var file = DicomFiles.ReadBytes(raw.ToArray());

        var sequence = file.Dataset.GetSequence(new DicomTag(0x0029, 0x1001));
        Assert.That(sequence!.Items.Single().GetString(DicomTags.CodeValue), Is.EqualTo("X1"));
    }

    [Test]
    public void Nested_sequences_mix_defined_and_undefined_lengths()
    {
        var inner = new RawDicom().Text(0x0008, 0x0104, "LO", "deep").ToArray();
        var middle = new RawDicom().SequenceHeader(0x0040, 0xA043, (uint)(inner.Length + 8)).Item((uint)inner.Length).Bytes(inner).ToArray();
        var raw = RawDicom.Part10(DicomUids.ExplicitVRLittleEndian)
            .SequenceHeader(0x0040, 0xA730)
            .Item().SequenceHeader(0x0040, 0xA730).Item((uint)middle.Length).Bytes(middle).SequenceEnd().ItemEnd()
            .SequenceEnd()
            .Text(0x0040, 0xA733, "LO", "after");
        using var file = DicomFiles.ReadBytes(raw.ToArray());

        var level1 = file.Dataset.GetSequence(DicomTags.ContentSequence)!.Items[0];
        var level2 = level1.GetSequence(DicomTags.ContentSequence)!.Items[0];
        var level3 = level2.GetSequence(DicomTags.ConceptNameCodeSequence)!.Items[0];
        Assert.That(level3.GetString(DicomTags.CodeMeaning), Is.EqualTo("deep"));
        Assert.That(level3.Parent, Is.SameAs(level2));
        Assert.That(file.Dataset.GetString(new DicomTag(0x0040, 0xA733)), Is.EqualTo("after"));
    }

    [Test]
    public void Odd_lengths_and_unknown_VRs_are_read_as_they_are()
    {
        var raw = RawDicom.Part10(DicomUids.ExplicitVRLittleEndian)
            .Element(0x0010, 0x0020, "LO", "ABC"u8.ToArray())
            .Element(0x0011, 0x1010, "ZZ", [1, 2, 3, 4]);
        using var file = DicomFiles.ReadBytes(raw.ToArray());

        Assert.That(file.Dataset.GetElement(DicomTags.PatientID)!.Length, Is.EqualTo(3));
        Assert.That(file.Dataset.GetString(DicomTags.PatientID), Is.EqualTo("ABC"));
        var unknown = file.Dataset.GetElement(new DicomTag(0x0011, 0x1010))!;
        Assert.That(unknown.VR, Is.EqualTo(DicomVR.UN));
        Assert.That(unknown.GetBytes().ToArray(), Is.EqualTo(new byte[] { 1, 2, 3, 4 }));
    }

    [Test]
    public void Encapsulated_fragments_are_kept_untouched_with_their_offset_table()
    {
        var raw = RawDicom.Part10(DicomUids.JPEGBaseline8Bit)
            .UShort(0x0028, 0x0010, 1)
            .SequenceHeader(0x7FE0, 0x0010, vr: "OB")
            .Item(4).Bytes([0, 0, 0, 0])
            .Item(6).Bytes([0xFF, 0xD8, 1, 2, 0xFF, 0xD9])
            .Item(3).Bytes([9, 8, 7])
            .SequenceEnd();
        using var file = DicomFiles.ReadBytes(raw.ToArray());

        var pixels = (DicomFragmentSequence)file.Dataset[DicomTags.PixelData]!;
        Assert.That(pixels.VR, Is.EqualTo(DicomVR.OB));
        Assert.That(pixels.OffsetTable.GetBytes().ToArray(), Is.EqualTo(new byte[4]));
        Assert.That(pixels.Fragments.Select(f => f.GetBytes().ToArray()), Is.EqualTo(new[] { new byte[] { 0xFF, 0xD8, 1, 2, 0xFF, 0xD9 }, new byte[] { 9, 8, 7 } }));
    }

    [Test]
    public void Reading_stops_before_pixel_data_when_asked()
    {
        var raw = RawDicom.Part10(DicomUids.ExplicitVRLittleEndian)
            .UShort(0x0028, 0x0010, 2)
            .Element(0x7FE0, 0x0010, "OW", new byte[8])
            .Element(0xFFFC, 0xFFFC, "OB", new byte[2]);
        using var file = DicomFiles.ReadBytes(raw.ToArray(), DicomReadOptions.StopBeforePixelData);

        Assert.That(file.Dataset.Contains(DicomTags.Rows), Is.True);
        Assert.That(file.Dataset.Contains(DicomTags.PixelData), Is.False);
        Assert.That(file.Dataset.Contains(DicomTags.DataSetTrailingPadding), Is.False);
        Assert.That(file.Dataset.IsPartial, Is.True);
    }

    [Test]
    public void Only_kept_elements_are_materialised_but_the_character_set_always_is()
    {
        var raw = RawDicom.Part10(DicomUids.ExplicitVRLittleEndian)
            .Text(0x0008, 0x0005, "CS", "ISO_IR 192")
            .Text(0x0008, 0x0060, "CS", "MR")
            .SequenceHeader(0x0008, 0x1140).Item().Text(0x0008, 0x1150, "UI", "1.2").ItemEnd().SequenceEnd()
            .Text(0x0010, 0x0010, "PN", "Skipped^Name");
        using var file = DicomFiles.ReadBytes(raw.ToArray(), new DicomReadOptions { Keep = t => t == DicomTags.Modality });

        Assert.That(file.Dataset.Select(i => i.Tag), Is.EqualTo(new[] { DicomTags.SpecificCharacterSet, DicomTags.Modality }));
    }

    [Test]
    public void Large_values_stay_in_the_file_until_read_and_need_the_file_open()
    {
        var pixels = Enumerable.Range(0, 200_000).Select(i => (byte)i).ToArray();
        var path = DicomFiles.WriteTemp(RawDicom.Part10(DicomUids.ExplicitVRLittleEndian).Element(0x7FE0, 0x0010, "OW", pixels).ToArray());
        var file = DicomFile.Open(path);
        var element = file.Dataset.GetElement(DicomTags.PixelData)!;

        Assert.That(element.IsExternal, Is.True);
        Assert.That(element.Length, Is.EqualTo(pixels.Length));
        Assert.That(element.GetBytes().ToArray(), Is.EqualTo(pixels));
        file.Dispose();
        Assert.Throws<ObjectDisposedException>(() => element.GetBytes());
    }

    [Test]
    public void A_forward_only_stream_spools_large_values_to_a_temporary_file()
    {
        var pixels = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();
        var bytes = RawDicom.Part10(DicomUids.ExplicitVRLittleEndian).Element(0x7FE0, 0x0010, "OB", pixels).ToArray();
        using var file = DicomFile.Read(new ForwardOnlyStream(bytes, 4096), new DicomReadOptions { SpoolThreshold = 50_000 });
        var element = file.Dataset.GetElement(DicomTags.PixelData)!;

        Assert.That(element.IsExternal, Is.True);
        Assert.That(element.GetBytes().ToArray(), Is.EqualTo(pixels));
    }

    [TestCase(true, false)]
    [TestCase(false, false)]
    [TestCase(true, true)]
    public void A_bare_dataset_without_preamble_or_meta_is_detected(bool explicitVR, bool bigEndian)
    {
        var raw = new RawDicom(explicitVR, bigEndian)
            .Text(0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.2")
            .UShort(0x0028, 0x0010, 300);
        using var file = DicomFiles.ReadBytes(raw.ToArray());

        Assert.That(file.FileMetaInformation.Count, Is.Zero);
        Assert.That(file.TransferSyntax.IsExplicitVR, Is.EqualTo(explicitVR));
        Assert.That(file.TransferSyntax.IsBigEndian, Is.EqualTo(bigEndian));
        Assert.That(file.Dataset.GetValue<ushort>(DicomTags.Rows), Is.EqualTo(300));
    }

    [Test]
    public void A_file_declaring_explicit_VR_but_encoded_implicit_is_read()
    {
        var raw = RawDicom.Part10(DicomUids.ExplicitVRLittleEndian, explicitVR: false).Text(0x0010, 0x0020, "LO", "ID42");
        using var file = DicomFiles.ReadBytes(raw.ToArray());

        Assert.That(file.Dataset.GetString(DicomTags.PatientID), Is.EqualTo("ID42"));
    }

    [Test]
    public async Task Synchronous_and_asynchronous_reads_give_the_same_dataset()
    {
        var bytes = RawDicom.Part10(DicomUids.ExplicitVRLittleEndian)
            .SequenceHeader(0x0008, 0x1140).Item().Text(0x0008, 0x1150, "UI", "1.2").ItemEnd().SequenceEnd()
            .Element(0x7FE0, 0x0010, "OW", new byte[100_000]).ToArray();
        var path = DicomFiles.WriteTemp(bytes);
        using var sync = DicomFile.Open(path);
        using var asyncFile = await DicomFile.OpenAsync(path);
        using var fromStream = await DicomFile.ReadAsync(new ForwardOnlyStream(bytes, 333));

        Assert.That(DicomDatasetDiff.Compare(sync.Dataset, asyncFile.Dataset), Is.Empty);
        Assert.That(DicomDatasetDiff.Compare(sync.Dataset, fromStream.Dataset), Is.Empty);
    }

    [Test]
    public void A_deflated_dataset_is_inflated_on_the_fly()
    {
        using var source = DicomFiles.ReadBytes(RawDicom.Part10(DicomUids.ExplicitVRLittleEndian)
            .Text(0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.7")
            .Text(0x0010, 0x0010, "PN", "Deflated^Test").ToArray());
        var deflated = DicomFiles.Save(source, new DicomWriteOptions { TransferSyntax = DicomTransferSyntax.DeflatedExplicitVRLittleEndian });
        using var file = DicomFiles.ReadBytes(deflated);

        Assert.That(file.TransferSyntax.IsDeflated, Is.True);
        Assert.That(file.Dataset.GetString(DicomTags.PatientName), Is.EqualTo("Deflated^Test"));
    }

    [Test]
    public void Group_0002_elements_are_only_in_the_file_meta_information()
    {
        using var file = DicomFiles.ReadBytes(RawDicom.Part10(DicomUids.ExplicitVRLittleEndian).UShort(0x0028, 0x0010, 1).ToArray());

        Assert.That(file.FileMetaInformation.All(i => i.Tag.Group == 0x0002), Is.True);
        Assert.That(file.Dataset.Any(i => i.Tag.Group == 0x0002), Is.False);
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(file.FileMetaInformation.GetElement(DicomTags.FileMetaInformationGroupLength)!.GetBytes().Span), Is.GreaterThan(0));
    }
}
