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
    private readonly FrozenSet<(ushort Group, string Creator, byte Offset)> _safe;

    internal SafePrivateAttributes(IEnumerable<(ushort Group, string Creator, byte Offset)> rows)
    {
        _safe = rows.ToFrozenSet();
        Creators = _safe.Select(r => r.Creator).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
    }

    public static SafePrivateAttributes Standard => LazyStandard.Value;

    public int Count => _safe.Count;

    /// <summary>The private creators that have safe attributes.</summary>
    public IReadOnlyList<string> Creators { get; }

    public bool IsSafe(ushort group, string creator, byte offset) => _safe.Contains((group, creator.Trim(), offset));

    internal static SafePrivateAttributes Read(TextReader reader)
    {
        var rows = new List<(ushort, string, byte)>();
        var header = reader.ReadLine() ?? throw new InvalidDataException("Table E.3.10-1 is empty.");
        var columns = header.Split('\t');
        int creatorColumn = Array.IndexOf(columns, "private_creator"), groupColumn = Array.IndexOf(columns, "group"), offsetColumn = Array.IndexOf(columns, "element_offset");
        if (creatorColumn < 0 || groupColumn < 0 || offsetColumn < 0)
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
                byte.Parse(fields[offsetColumn], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)));
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
