namespace NodeAgent.Dicom.IO.Internal;

/// <summary>
/// The number of bytes an item takes when encoded: needed for group lengths and defined-length
/// sequences. It follows exactly the decisions <see cref="DatasetWriter"/> makes.
/// </summary>
internal static class EncodedLength
{
    public const long UndefinedLengthMarker = 0xFFFFFFFF;

    public static long Of(DicomItem item, WireEncoding encoding, DicomWriteOptions options) => item switch
    {
        // Group lengths outside the meta group are dropped, or rewritten as a 4-byte UL.
        DicomElement { Tag.IsGroupLength: true, Tag.Group: not 0x0002 } => options.RemoveGroupLengths ? 0 : HeaderLength(DicomVR.UL, encoding) + 4,
        DicomElement e => HeaderLength(WrittenVR(e, encoding), encoding) + Padded(e.Length),
        DicomSequence s => HeaderLength(DicomVR.SQ, encoding) + SequenceContent(s, encoding, options)
            + (options.SequenceLength == DicomSequenceLengthEncoding.Undefined ? 8 : 0),
        DicomFragmentSequence f => HeaderLength(DicomVR.OB, encoding) + 8 + Padded(f.OffsetTable.Length)
            + f.Fragments.Sum(x => 8 + Padded(x.Length)) + 8,
        _ => 0,
    };

    /// <summary>Bytes of the items of a sequence, with their headers and, if undefined, their delimiters.</summary>
    public static long SequenceContent(DicomSequence sequence, WireEncoding encoding, DicomWriteOptions options)
    {
        long total = 0;
        foreach (var item in sequence.Items)
        {
            total += 8 + Dataset(item, encoding, options) + (options.SequenceLength == DicomSequenceLengthEncoding.Undefined ? 8 : 0);
        }

        return total;
    }

    public static long Dataset(DicomDataset dataset, WireEncoding encoding, DicomWriteOptions options)
    {
        long total = 0;
        foreach (var item in dataset)
        {
            total += Of(item, encoding, options);
        }

        return total;
    }

    public static long Padded(long length) => length + (length & 1);

    /// <summary>
    /// The VR the writer puts on the wire: unknown VRs become UN, and a short-length VR whose value
    /// does not fit 16 bits is written as UN, as DCMTK does, rather than truncated.
    /// </summary>
    public static DicomVR WrittenVR(DicomElement element, WireEncoding encoding)
    {
        var vr = element.VR;
        if (!vr.IsKnown() || vr == DicomVR.SQ)
        {
            return DicomVR.UN;
        }

        if (encoding.ExplicitVR && !vr.HasLongExplicitLength() && Padded(element.Length) > ushort.MaxValue)
        {
            return DicomVR.UN;
        }

        return vr;
    }

    public static int HeaderLength(DicomVR vr, WireEncoding encoding) =>
        encoding.ExplicitVR && vr.HasLongExplicitLength() ? 12 : 8;
}
