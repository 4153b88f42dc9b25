using System.Collections.Frozen;
using System.Globalization;

namespace NodeAgent.Dicom.Dictionary.Internal;

/// <summary>The parsed dictionary: a hash of single tags, a short list of ranges, and private entries by creator.</summary>
internal sealed class DictionaryTables
{
    private static readonly Lazy<DictionaryTables> Lazy = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly FrozenDictionary<uint, DicomDictionaryEntry> _single;
    private readonly TagRange[] _ranges;
    private readonly FrozenDictionary<string, PrivateBlockEntries> _privateByCreator;

    private DictionaryTables(
        FrozenDictionary<uint, DicomDictionaryEntry> single,
        TagRange[] ranges,
        FrozenDictionary<string, PrivateBlockEntries> privateByCreator,
        FrozenDictionary<string, DicomDictionaryEntry> byKeyword,
        IReadOnlyCollection<DicomDictionaryEntry> all)
    {
        _single = single;
        _ranges = ranges;
        _privateByCreator = privateByCreator;
        ByKeyword = byKeyword;
        AllStandard = all;
    }

    public static DictionaryTables Instance => Lazy.Value;

    public FrozenDictionary<string, DicomDictionaryEntry> ByKeyword { get; }

    public IReadOnlyCollection<DicomDictionaryEntry> AllStandard { get; }

    public DicomDictionaryEntry? Find(DicomTag tag)
    {
        if (_single.TryGetValue(tag.Value, out var entry))
        {
            return entry;
        }

        foreach (ref readonly var range in _ranges.AsSpan())
        {
            if (range.Matches(tag))
            {
                return range.Entry;
            }
        }

        return null;
    }

    public DicomDictionaryEntry? FindPrivate(DicomTag tag, string creator)
    {
        if (!_privateByCreator.TryGetValue(creator, out var block))
        {
            // Creators are compared as stored, after trimming the padding the writer may have added.
            var trimmed = creator.Trim();
            if (ReferenceEquals(trimmed, creator) || !_privateByCreator.TryGetValue(trimmed, out block))
            {
                return null;
            }
        }

        return block.Find(tag);
    }

    private static DictionaryTables Build()
    {
        var single = new Dictionary<uint, DicomDictionaryEntry>();
        var ranges = new List<TagRange>();
        var all = new List<DicomDictionaryEntry>();
        foreach (var row in ReadRows(GeneratedDictionaryData.Standard, hasCreator: false))
        {
            var entry = row.ToEntry();
            all.Add(entry);
            if (row.IsSingleTag)
            {
                // Later lines override earlier ones, as in DCMTK's dictionary format.
                single[((uint)row.GroupLow << 16) | row.ElementLow] = entry;
            }
            else
            {
                ranges.Add(new TagRange(row, entry));
            }
        }

        // Most specific ranges first, so (60xx,3000) wins over the generic group length (gggg,0000).
        ranges.Sort((a, b) => a.Width.CompareTo(b.Width));

        var privateBlocks = new Dictionary<string, PrivateBlockEntries>(StringComparer.Ordinal);
        foreach (var row in ReadRows(GeneratedDictionaryData.Private, hasCreator: true))
        {
            if (!privateBlocks.TryGetValue(row.Creator!, out var block))
            {
                block = new PrivateBlockEntries();
                privateBlocks.Add(row.Creator!, block);
            }

            block.Add(row, row.ToEntry());
        }

        var byKeyword = new Dictionary<string, DicomDictionaryEntry>(StringComparer.Ordinal);
        foreach (var entry in all)
        {
            if (entry.Keyword.Length > 0 && (!byKeyword.TryGetValue(entry.Keyword, out var existing) || (existing.IsRetired && !entry.IsRetired)))
            {
                byKeyword[entry.Keyword] = entry;
            }
        }

        return new DictionaryTables(
            single.ToFrozenDictionary(),
            ranges.ToArray(),
            privateBlocks.ToFrozenDictionary(StringComparer.Ordinal),
            byKeyword.ToFrozenDictionary(StringComparer.Ordinal),
            all);
    }

    private static IEnumerable<DictionaryRow> ReadRows(string data, bool hasCreator)
    {
        foreach (var line in data.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split('|');
            yield return new DictionaryRow(
                Hex(f[0][..4]), Hex(f[0][5..]), f[1][0],
                Hex(f[2][..4]), Hex(f[2][5..]), f[3][0],
                ParseVrs(f[4]), f[5], f[6], f[7] == "Y", hasCreator ? f[8] : null);
        }
    }

    private static ushort Hex(string s) => ushort.Parse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    private static DicomVR[] ParseVrs(string s)
    {
        if (s.Length == 0)
        {
            return [];
        }

        var parts = s.Split('/', '|');
        var result = new List<DicomVR>(parts.Length);
        foreach (var p in parts)
        {
            if (DicomVRExtensions.TryParse(p, out var vr))
            {
                result.Add(vr);
            }
        }

        return [.. result];
    }
}
