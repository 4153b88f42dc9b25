using NodeAgent.Index.Counting.Internal;

namespace NodeAgent.Index.Tests;

/// <summary>
/// The count engine's column parts against plain loops: range scans over each code width, and sums
/// over matching rows at every density, with row counts that end mid-word.
/// </summary>
public sealed class CountColumnTests
{
    [TestCase(200, 1, ExpectedResult = 1, Description = "ages: a byte per row")]
    [TestCase(255, 1, ExpectedResult = 1, Description = "the most distinct values a byte holds beside 'none'")]
    [TestCase(256, 1, ExpectedResult = 2, Description = "one more: two bytes")]
    [TestCase(5000, 20, ExpectedResult = 2, Description = "study dates: two bytes per row")]
    [TestCase(70_000, 1, ExpectedResult = 4, Description = "more distinct values than two bytes hold")]
    public int A_range_scan_matches_a_plain_comparison_at_every_code_width(int distinct, int spread)
    {
        var random = new Random(distinct);
        var rows = distinct + 333;

        // Exactly `distinct` values, spread apart (dates are not consecutive numbers), one of them
        // negative; then repeats and rows with no value.
        var values = Enumerable.Range(0, distinct - 1).Select(v => v * spread).Append(-7)
            .Concat(Enumerable.Range(0, rows - distinct).Select(i => i % 3 == 0 ? NumberColumn.Missing : random.Next(distinct - 1) * spread))
            .ToArray();
        random.Shuffle(values);
        var column = NumberColumn.Of(values);
        var words = (rows + 63) >> 6;
        var top = (distinct - 2) * spread;
        long?[] bounds = [null, long.MinValue, -8, -7, -1, 0, 1, spread, top / 3, (top / 3) + 1, top - spread, top, top + 1, int.MaxValue, (long)int.MaxValue + 5, long.MaxValue];
        for (var i = 0; i < 400; i++)
        {
            var min = random.Next(3) == 0 ? bounds[random.Next(bounds.Length)] : random.Next(-10, top + 10);
            var max = random.Next(3) == 0 ? bounds[random.Next(bounds.Length)] : random.Next(-10, top + 10);
            var fresh = new ulong[words];
            column.Scan(min ?? long.MinValue, max ?? long.MaxValue, fresh, intersect: false);

            // Intersected with a random running result, as inside an AllOf.
            var running = Enumerable.Range(0, words).Select(_ => (ulong)random.NextInt64() ^ ((ulong)random.NextInt64() << 1)).ToArray();
            running[^1] &= rows % 64 == 0 ? ulong.MaxValue : (1UL << (rows % 64)) - 1;
            var intersected = running.ToArray();
            column.Scan(min ?? long.MinValue, max ?? long.MaxValue, intersected, intersect: true);
            for (var row = 0; row < rows; row++)
            {
                // As always: no value never matches, nor does a value below zero.
                var expected = values[row] >= 0 && values[row] >= (min ?? long.MinValue) && values[row] <= (max ?? long.MaxValue);
                var bit = 1UL << row;
                if (((fresh[row >> 6] & bit) != 0) != expected || ((intersected[row >> 6] & bit) != 0) != (expected && (running[row >> 6] & bit) != 0))
                {
                    Assert.Fail($"row {row} (value {values[row]}) against {min}..{max}: scanned {(fresh[row >> 6] & bit) != 0}, expected {expected}");
                }
            }

            if (rows % 64 != 0)
            {
                Assert.That(fresh[^1] >> (rows % 64), Is.Zero, "no bit beyond the last row");
            }
        }

        Assert.That(Enumerable.Range(0, rows).All(row => column.ValueAt(row) == values[row]), "every value reads back");
        return column.BytesPerRow;
    }

    [TestCase(1_000, 400, Description = "instances of real series: two bytes a row")]
    [TestCase(1_000, 65_535, Description = "the most two bytes hold")]
    [TestCase(1_000, 65_536, Description = "more: an int a row")]
    [TestCase(1_000, int.MaxValue / 8, Description = "the most an int lane may add eight of")]
    [TestCase(1_000, int.MaxValue, Description = "beyond: bit by bit")]
    [TestCase(64 * 40, 400, Description = "whole words only")]
    [TestCase(63, 400, Description = "less than one word")]
    public void A_sum_over_matching_rows_equals_a_plain_sum_at_every_density(int rows, int largest)
    {
        var random = new Random(rows ^ largest);
        var values = Enumerable.Range(0, rows).Select(_ => random.Next(2) == 0 ? largest : random.Next(largest)).ToArray();
        var sum = SummedColumn.Of(values);
        var words = (rows + 63) >> 6;
        foreach (var density in new[] { 0.0, 0.01, 0.1, 0.5, 0.9, 1.0 })
        {
            var bitmap = new ulong[words];
            long expected = 0;
            for (var row = 0; row < rows; row++)
            {
                if (random.NextDouble() < density || density == 1.0)
                {
                    bitmap[row >> 6] |= 1UL << row;
                    expected += values[row];
                }
            }

            Assert.That(sum.Over(bitmap), Is.EqualTo(expected), $"density {density}");
        }

        Assert.That(Enumerable.Range(0, rows).All(row => sum.ValueAt(row) == values[row]), "every value reads back");
    }
}
