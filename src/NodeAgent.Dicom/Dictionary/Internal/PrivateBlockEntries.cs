namespace NodeAgent.Dicom.Dictionary.Internal;

/// <summary>The private dictionary entries of one private creator, keyed by group and element offset (low byte).</summary>
internal sealed class PrivateBlockEntries
{
    private readonly Dictionary<uint, DicomDictionaryEntry> _exact = [];
    private readonly List<(DictionaryRow Row, DicomDictionaryEntry Entry)> _ranges = [];

    public void Add(DictionaryRow row, DicomDictionaryEntry entry)
    {
        if (row.IsSingleTag)
        {
            _exact[Key(row.GroupLow, (byte)row.ElementLow)] = entry;
        }
        else
        {
            _ranges.Add((row, entry));
        }
    }

    public DicomDictionaryEntry? Find(DicomTag tag)
    {
        var offset = (byte)(tag.Element & 0xFF);
        if (_exact.TryGetValue(Key(tag.Group, offset), out var entry))
        {
            return entry;
        }

        foreach (var (row, rangeEntry) in _ranges)
        {
            if (row.Matches(tag.Group, offset))
            {
                return rangeEntry;
            }
        }

        return null;
    }

    private static uint Key(ushort group, byte offset) => ((uint)group << 8) | offset;
}
