namespace NodeAgent.Dicom;

/// <summary>
/// Encapsulated pixel data (PS3.5 A.4): the Basic Offset Table item followed by the fragments of the
/// compressed frames, kept exactly as read whatever the codec (JPEG, JPEG-LS, JPEG 2000, HTJ2K, RLE, MPEG, HEVC).
/// </summary>
public sealed class DicomFragmentSequence : DicomItem
{
    public DicomFragmentSequence(DicomTag tag, DicomVR vr, DicomFragment offsetTable, params IEnumerable<DicomFragment> fragments)
        : base(tag, vr)
    {
        OffsetTable = offsetTable;
        Fragments = [.. fragments];
    }

    /// <summary>The first item: the Basic Offset Table, often empty.</summary>
    public DicomFragment OffsetTable { get; }

    public List<DicomFragment> Fragments { get; }

    /// <summary>Bytes of all items as read, with their 8-byte headers, up to but not including the sequence delimiter.</summary>
    public long ItemStreamLength => 8 + OffsetTable.Length + Fragments.Sum(f => 8 + f.Length);
}
