using NodeAgent.Federation.V1;

namespace NodeAgent.Federation.Disclosure;

/// <summary>
/// Releases a histogram: each cell through <see cref="CountReleaser"/> (small cells withheld), then
/// secondary suppression: when exactly one cell is withheld, the smallest released cell is withheld
/// too, so that the withheld value cannot be recovered as the total minus the others (the total is
/// available from a Count of the same query).
/// </summary>
public static class FacetReleaser
{
    public static (List<FacetCell> Cells, bool Modified, int Suppressed) Release(CountReleaser releaser, IReadOnlyList<(string Value, long Count)> cells, string queryHash, ulong dataFingerprint, string field)
    {
        ArgumentNullException.ThrowIfNull(releaser);
        ArgumentNullException.ThrowIfNull(cells);
        var modified = false;
        var released = new List<(FacetCell Cell, long TrueCount)>();
        foreach (var (value, count) in cells)
        {
            var (count2, changed) = releaser.Release(count, queryHash, dataFingerprint, $"facet|{field}|{value}");
            modified |= changed;
            released.Add((new FacetCell { Value = value, Count = count2, Suppressed = count2.ValueCase == ReleasedCount.ValueOneofCase.FewerThan }, count));
        }

        if (released.Count(r => r.Cell.Suppressed) == 1 && released.Count > 1)
        {
            // The smallest by its released value: choosing by the true count would itself leak it.
            var partner = released.Where(r => !r.Cell.Suppressed).MinBy(r => r.Cell.Count.Count);
            partner.Cell.Count = new ReleasedCount { FewerThan = 0 };
            partner.Cell.Suppressed = true;
            modified = true;
        }

        foreach (var (cell, _) in released.Where(r => r.Cell.Suppressed))
        {
            // A withheld cell says only that it is withheld: "fewer than the threshold" would be
            // false for a cell withheld to protect another.
            cell.Count = new ReleasedCount();
        }

        var suppressed = released.Count(r => r.Cell.Suppressed);
        return (released.Select(r => r.Cell).ToList(), modified, suppressed);
    }
}
