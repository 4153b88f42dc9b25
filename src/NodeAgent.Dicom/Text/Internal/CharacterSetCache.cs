using System.Collections.Concurrent;

namespace NodeAgent.Dicom.Text.Internal;

/// <summary>
/// Parsed character sets by the raw (0008,0005) value: every file of a study repeats the same value,
/// so it is parsed once. Bounded, because the values come from untrusted input.
/// </summary>
internal static class CharacterSetCache
{
    private const int Capacity = 128;

    private static readonly ConcurrentDictionary<string, DicomCharacterSet> Entries = new(StringComparer.Ordinal);

    public static DicomCharacterSet GetOrAdd(string key, Func<string, DicomCharacterSet> create)
    {
        if (Entries.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var created = create(key);

        // Past capacity new values are still parsed, just not remembered: a flood of odd values
        // must not grow memory, and real archives use a handful.
        return Entries.Count < Capacity ? Entries.GetOrAdd(key, created) : created;
    }
}
