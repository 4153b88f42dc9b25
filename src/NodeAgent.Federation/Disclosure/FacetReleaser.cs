using NodeAgent.Federation.V1;

namespace NodeAgent.Federation.Disclosure;

/// <summary>
/// Releases a histogram: each cell through <see cref="CountReleaser"/>; small cells are withheld, and
/// then more (the smallest released first) until the withheld cells together hold at least the
/// threshold, so that no withheld value can be derived as the total (from a Count of the same query)
/// minus the released cells. Withheld cells are not listed at all: a listed value would tell that
/// records with it exist.
/// </summary>
public static class FacetReleaser
{
    public static (List<FacetCell> Cells, int Withheld) Release(CountReleaser releaser, IReadOnlyList<(string Value, long Count)> cells, string queryHash, ulong dataFingerprint, string field)
    {
        ArgumentNullException.ThrowIfNull(releaser);
        ArgumentNullException.ThrowIfNull(cells);
        var released = new List<(string Value, long TrueCount, ReleasedCount Count)>();
        foreach (var (value, count) in cells)
        {
            released.Add((value, count, releaser.Release(count, queryHash, dataFingerprint, $"facet|{field}|{value}").Released));
        }

        bool Withheld((string, long, ReleasedCount Count) cell) => cell.Count.ValueCase != ReleasedCount.ValueOneofCase.Count;
        var withheld = released.Where(Withheld).ToList();
        if (withheld.Count > 0)
        {
            // Chosen by their released values (choosing by true counts would itself tell them).
            foreach (var partner in released.Where(c => !Withheld(c)).OrderBy(c => c.Count.Count).ThenBy(c => c.Value, StringComparer.Ordinal).ToList())
            {
                if (withheld.Count >= 2 && withheld.Sum(c => c.TrueCount) >= releaser.Policy.Threshold)
                {
                    break;
                }

                withheld.Add(partner);
            }
        }

        var kept = released.Where(c => !withheld.Contains(c)).Select(c => new FacetCell { Value = c.Value, Count = c.Count }).ToList();
        return (kept, withheld.Count);
    }
}
