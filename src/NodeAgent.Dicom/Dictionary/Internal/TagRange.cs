namespace NodeAgent.Dicom.Dictionary.Internal;

/// <summary>A dictionary entry that covers a range of tags, such as (6000-60FF,3000) Overlay Data.</summary>
internal readonly struct TagRange
{
    private readonly DictionaryRow _row;

    public TagRange(DictionaryRow row, DicomDictionaryEntry entry)
    {
        _row = row;
        Entry = entry;
        Width = (long)(row.GroupHigh - row.GroupLow + 1) * (row.ElementHigh - row.ElementLow + 1);
    }

    public DicomDictionaryEntry Entry { get; }

    /// <summary>How many tags the range spans; narrower ranges are tried first.</summary>
    public long Width { get; }

    public bool Matches(DicomTag tag) => _row.Matches(tag.Group, tag.Element);
}
