using NodeAgent.Dicom.IO;
using NodeAgent.Dicom.Tests.Support;

namespace NodeAgent.Dicom.Tests.IO;

/// <summary>Hostile and broken input gets a typed error with the offset: no crash, no hang, no huge allocation.</summary>
public class MalformedInputTests
{
    /// <summary>A file with every structure the reader handles: sequences of both length kinds, fragments, private data.</summary>
    internal static byte[] RichFile()
    {
        var inner = new RawDicom().Text(0x0008, 0x0104, "LO", "meaning").ToArray();
        return RawDicom.Part10(DicomUids.JPEGBaseline8Bit)
            .Text(0x0008, 0x0005, "CS", "ISO_IR 100")
            .Text(0x0010, 0x0010, "PN", "Name^Given")
            .SequenceHeader(0x0008, 0x1140)
            .Item().Text(0x0008, 0x1150, "UI", "1.2.3").SequenceHeader(0x0040, 0xA043, (uint)(inner.Length + 8)).Item((uint)inner.Length).Bytes(inner).ItemEnd()
            .SequenceEnd()
            .Text(0x0029, 0x0010, "LO", "VENDOR")
            .Element(0x0029, 0x1001, "OB", [1, 2, 3, 4])
            .UShort(0x0028, 0x0010, 16)
            .SequenceHeader(0x7FE0, 0x0010, vr: "OB").Item(0).Item(10).Bytes(new byte[10]).SequenceEnd()
            .ToArray();
    }

    [Test]
    public void A_file_cut_anywhere_gives_a_typed_error_or_the_elements_before_the_cut()
    {
        var full = RichFile();
        using var complete = DicomFiles.ReadBytes(full);
        for (var cut = 0; cut < full.Length; cut++)
        {
            var truncated = full[..cut];
            try
            {
                using var file = DicomFiles.ReadBytes(truncated);
                // Only a cut at a top-level element boundary can look complete: then what was read is a prefix.
                Assert.That(file.Dataset.Count, Is.LessThanOrEqualTo(complete.Dataset.Count), $"cut at {cut}");
                foreach (var item in file.Dataset)
                {
                    Assert.That(complete.Dataset.Contains(item.Tag), Is.True, $"cut at {cut}: {item.Tag} of {full.Length}");
                }
            }
            catch (DicomParseException ex)
            {
                Assert.That(ex.Offset, Is.InRange(0, cut), $"cut at {cut}");
            }
        }
    }

    [Test]
    public void A_length_past_the_end_of_the_file_is_reported_with_the_element_offset()
    {
        var raw = RawDicom.Part10(DicomUids.ExplicitVRLittleEndian);
        var elementOffset = raw.Length;
        raw.Element(0x0010, 0x0010, "PN", "ABCD"u8.ToArray(), declaredLength: 1000);
        var path = DicomFiles.WriteTemp(raw.ToArray());

        var ex = Assert.Throws<DicomParseException>(() => DicomFile.Open(path));
        Assert.That(ex!.Error, Is.EqualTo(DicomParseError.LengthOutOfRange));
        Assert.That(ex.Offset, Is.EqualTo(elementOffset));
        Assert.That(ex.Tag, Is.EqualTo(DicomTags.PatientName));
        Assert.That(ex.Message, Does.Not.Contain("ABCD"));
    }

    [Test]
    public void A_4_GB_length_on_a_stream_is_refused_by_the_memory_budget_before_anything_is_allocated()
    {
        var bytes = RawDicom.Part10(DicomUids.ExplicitVRLittleEndian)
            .Element(0x7FE0, 0x0010, "OB", new byte[3000], declaredLength: 0xFFFFFFF0).ToArray();
        var before = GC.GetAllocatedBytesForCurrentThread();

        var ex = Assert.Throws<DicomParseException>(() => DicomFile.Read(new ForwardOnlyStream(bytes, 1024), new DicomReadOptions { SpoolThreshold = long.MaxValue }));

        Assert.That(ex!.Error, Is.EqualTo(DicomParseError.TooLarge));
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(1024 * 1024));
    }

    [Test]
    public void A_4_GB_length_on_a_stream_costs_no_more_memory_than_the_bytes_that_arrive()
    {
        var bytes = RawDicom.Part10(DicomUids.ExplicitVRLittleEndian)
            .Element(0x7FE0, 0x0010, "OB", new byte[3000], declaredLength: 0xFFFFFFF0).ToArray();
        var options = new DicomReadOptions { SpoolThreshold = long.MaxValue, MaxInMemoryValueBytes = long.MaxValue };
        var before = GC.GetAllocatedBytesForCurrentThread();

        var ex = Assert.Throws<DicomParseException>(() => DicomFile.Read(new ForwardOnlyStream(bytes, 1024), options));

        Assert.That(ex!.Error, Is.EqualTo(DicomParseError.Truncated));
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(16 * 1024 * 1024));
    }

    [Test]
    public void A_4_GB_length_in_a_file_is_refused_before_anything_is_allocated()
    {
        var path = DicomFiles.WriteTemp(RawDicom.Part10(DicomUids.ExplicitVRLittleEndian)
            .Element(0x0009, 0x1010, "OB", new byte[16], declaredLength: 0xFFFFFFF0).ToArray());
        var before = GC.GetAllocatedBytesForCurrentThread();

        var ex = Assert.Throws<DicomParseException>(() => DicomFile.Open(path));

        Assert.That(ex!.Error, Is.EqualTo(DicomParseError.LengthOutOfRange));
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(1024 * 1024));
    }

    [Test]
    public void Deep_nesting_is_refused_without_exhausting_the_stack()
    {
        var raw = RawDicom.Part10(DicomUids.ExplicitVRLittleEndian);
        for (var i = 0; i < 100_000; i++)
        {
            raw.SequenceHeader(0x0040, 0xA730).Item();
        }

        var ex = Assert.Throws<DicomParseException>(() => DicomFiles.ReadBytes(raw.ToArray()));
        Assert.That(ex!.Error, Is.EqualTo(DicomParseError.NestingTooDeep));
    }

    [Test]
    public void Garbage_VR_bytes_are_reported_as_an_invalid_VR()
    {
        var raw = RawDicom.Part10(DicomUids.ExplicitVRLittleEndian).Text(0x0008, 0x0060, "CS", "CT");
        var offset = raw.Length;
        raw.Bytes([0x10, 0x00, 0x10, 0x00, 0x01, 0x7F, 0x02, 0x00, 0x41, 0x42]);

        var ex = Assert.Throws<DicomParseException>(() => DicomFiles.ReadBytes(raw.ToArray()));
        Assert.That(ex!.Error, Is.EqualTo(DicomParseError.InvalidVR));
        Assert.That(ex.Offset, Is.EqualTo(offset));
    }

    [Test]
    public void An_item_tag_where_an_element_belongs_is_refused()
    {
        var raw = RawDicom.Part10(DicomUids.ExplicitVRLittleEndian).Text(0x0008, 0x0060, "CS", "CT").Item(4).Bytes([1, 2, 3, 4]);

        var ex = Assert.Throws<DicomParseException>(() => DicomFiles.ReadBytes(raw.ToArray()));
        Assert.That(ex!.Error, Is.EqualTo(DicomParseError.UnexpectedDelimiter));
    }

    [Test]
    public void A_data_element_where_an_item_belongs_is_refused()
    {
        var raw = RawDicom.Part10(DicomUids.ExplicitVRLittleEndian).SequenceHeader(0x0008, 0x1140).Text(0x0008, 0x0060, "CS", "CT");

        var ex = Assert.Throws<DicomParseException>(() => DicomFiles.ReadBytes(raw.ToArray()));
        Assert.That(ex!.Error, Is.EqualTo(DicomParseError.UnexpectedDelimiter));
    }

    [Test]
    public void An_undefined_length_on_a_numeric_element_is_refused()
    {
        var raw = RawDicom.Part10(DicomUids.ImplicitVRLittleEndian, explicitVR: false).Element(0x0028, 0x0010, "US", [], RawDicom.Undefined);

        var ex = Assert.Throws<DicomParseException>(() => DicomFiles.ReadBytes(raw.ToArray()));
        Assert.That(ex!.Error, Is.EqualTo(DicomParseError.UndefinedLengthNotAllowed));
    }

    [Test]
    public void An_item_longer_than_its_sequence_is_refused()
    {
        var raw = RawDicom.Part10(DicomUids.ExplicitVRLittleEndian).SequenceHeader(0x0008, 0x1140, 16).Item(100).Bytes(new byte[100]);

        var ex = Assert.Throws<DicomParseException>(() => DicomFiles.ReadBytes(raw.ToArray()));
        Assert.That(ex!.Error, Is.EqualTo(DicomParseError.LengthOutOfRange));
    }

    [Test]
    public void Text_that_is_not_DICOM_is_reported_as_such()
    {
        var ex = Assert.Throws<DicomParseException>(() => DicomFiles.ReadBytes("This is a README, not an image.\n"u8.ToArray()));
        Assert.That(ex!.Error, Is.EqualTo(DicomParseError.NotDicom));
    }

    [Test]
    public void A_deflated_dataset_that_does_not_inflate_is_reported()
    {
        // 0x07: a final block of the reserved block type 3, which no deflate stream may contain (RFC 1951 3.2.3).
        var raw = RawDicom.Part10(DicomUids.DeflatedExplicitVRLittleEndian).Bytes([0x07, 0xFF, 0xFF, 0xFF, 0x00, 0x13, 0x37]);

        var ex = Assert.Throws<DicomParseException>(() => DicomFiles.ReadBytes(raw.ToArray()));
        Assert.That(ex!.Error, Is.EqualTo(DicomParseError.InvalidDeflateStream));
    }

    [Test]
    public void Too_many_elements_are_refused()
    {
        var raw = RawDicom.Part10(DicomUids.ExplicitVRLittleEndian).SequenceHeader(0x0008, 0x1140);
        for (var i = 0; i < 1000; i++)
        {
            raw.Item(0);
        }

        raw.SequenceEnd();
        var ex = Assert.Throws<DicomParseException>(() => DicomFiles.ReadBytes(raw.ToArray(), new DicomReadOptions { MaxElements = 500 }));
        Assert.That(ex!.Error, Is.EqualTo(DicomParseError.TooLarge));
    }

    [Test]
    public void A_deflate_bomb_stops_at_the_inflated_length_limit()
    {
        var ds = new DicomDataset();
        ds.AddOrUpdate(new DicomElement(new DicomTag(0x0009, 0x1001), DicomVR.OB, new byte[4_000_000]));
        var bomb = DicomFiles.Save(new DicomFile(ds, DicomTransferSyntax.DeflatedExplicitVRLittleEndian));
        Assert.That(bomb.Length, Is.LessThan(100_000), "zeros deflate to almost nothing");

        var ex = Assert.Throws<DicomParseException>(() => DicomFiles.ReadBytes(bomb, new DicomReadOptions { MaxInflatedLength = 1_000_000 }));
        Assert.That(ex!.Error, Is.EqualTo(DicomParseError.TooLarge));
    }
}
