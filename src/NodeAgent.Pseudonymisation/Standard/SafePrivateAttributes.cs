using System.Collections.Frozen;
using System.Globalization;

namespace NodeAgent.Pseudonymisation.Standard;

/// <summary>
/// PS3.15 Table E.3.10-1 (2023b): private attributes known to carry no identifying information.
/// A private element is safe only when its group, its private creator and its offset in the block
/// all match a row; the block number depends on where the creator was reserved and is not compared.
/// </summary>
public sealed class SafePrivateAttributes
{
    private static readonly Lazy<SafePrivateAttributes> LazyStandard = new(ReadEmbedded);
    private readonly FrozenDictionary<(ushort Group, string Creator, byte Offset), string> _safe;

    internal SafePrivateAttributes(IEnumerable<(ushort Group, string Creator, byte Offset, string VR)> rows)
    {
        var byKey = new Dictionary<(ushort, string, byte), string>();
        foreach (var (group, creator, offset, vr) in rows)
        {
            byKey[(group, creator, offset)] = vr;
        }

        _safe = byKey.ToFrozenDictionary();
        Creators = _safe.Keys.Select(r => r.Creator).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
    }

    public static SafePrivateAttributes Standard => LazyStandard.Value;

    public int Count => _safe.Count;

    /// <summary>The private creators that have safe attributes.</summary>
    public IReadOnlyList<string> Creators { get; }

    public bool IsSafe(ushort group, string creator, byte offset) => _safe.ContainsKey((group, creator.Trim(), offset));

    /// <summary>The VR the table declares for a safe element ("" when it gives none, "OW/OB" when it gives two), or null when not safe.</summary>
    public string? DeclaredVR(ushort group, string creator, byte offset) => _safe.GetValueOrDefault((group, creator.Trim(), offset));

    internal static SafePrivateAttributes Read(TextReader reader)
    {
        var rows = new List<(ushort, string, byte, string)>();
        var header = reader.ReadLine() ?? throw new InvalidDataException("Table E.3.10-1 is empty.");
        var columns = header.Split('\t');
        int creatorColumn = Array.IndexOf(columns, "private_creator"), groupColumn = Array.IndexOf(columns, "group"), offsetColumn = Array.IndexOf(columns, "element_offset"), vrColumn = Array.IndexOf(columns, "vr");
        if (creatorColumn < 0 || groupColumn < 0 || offsetColumn < 0 || vrColumn < 0)
        {
            throw new InvalidDataException("Table E.3.10-1 lacks the private_creator, group or element_offset column.");
        }

        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            var fields = line.Split('\t');
            rows.Add((
                ushort.Parse(fields[groupColumn], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture),
                fields[creatorColumn].Trim(),
                byte.Parse(fields[offsetColumn], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture),
                fields[vrColumn].Trim()));
        }

        return new SafePrivateAttributes(rows);
    }

    private static SafePrivateAttributes ReadEmbedded()
    {
        using var stream = typeof(SafePrivateAttributes).Assembly.GetManifestResourceStream("E.3.10-1.tsv")
            ?? throw new InvalidOperationException("Table E.3.10-1 is not embedded in this assembly.");
        using var reader = new StreamReader(stream);
        return Read(reader);
    }
}
