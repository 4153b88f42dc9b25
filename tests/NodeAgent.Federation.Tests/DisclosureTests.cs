using NodeAgent.Federation.Disclosure;
using NodeAgent.Federation.V1;

namespace NodeAgent.Federation.Tests;

public sealed class DisclosureTests
{
    private static readonly byte[] Key = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
    private static readonly CountReleaser Default = new(new DisclosurePolicy(), Key);

    [Test]
    public void The_same_query_on_the_same_data_always_gives_the_same_value()
    {
        var first = Default.Release(1234, "q", 42, "studies").Released;
        for (var i = 0; i < 1000; i++)
        {
            Assert.That(Default.Release(1234, "q", 42, "studies").Released, Is.EqualTo(first));
        }

        var others = Enumerable.Range(0, 200).Select(i => Default.Release(1234, "q" + i, 42, "studies").Released.Count).Distinct().Count();
        Assert.That(others, Is.GreaterThan(1), "other queries draw other noise");
    }

    [Test]
    public void Released_counts_are_multiples_of_the_rounding_near_the_truth_and_small_ones_are_withheld()
    {
        var releases = Enumerable.Range(0, 2000).Select(i => Default.Release(500, "q" + i, 7, "series").Released).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(releases.All(r => r.ValueCase == ReleasedCount.ValueOneofCase.Count && r.Count % 10 == 0), Is.True);
            Assert.That(releases.Average(r => r.Count), Is.EqualTo(500).Within(2), "the noise is centred");
            Assert.That(releases.Max(r => Math.Abs(r.Count - 500)), Is.LessThanOrEqualTo(20), "Laplace with epsilon 1 rarely strays beyond 10");
        });

        for (var trueCount = 0; trueCount < 10; trueCount++)
        {
            var shown = Enumerable.Range(0, 1000).Count(i => Default.Release(trueCount, "q" + i, 7, "patients").Released.ValueCase == ReleasedCount.ValueOneofCase.Count);
            Assert.That(shown, Is.Zero, $"a true count of {trueCount} is never released");
        }
    }

    [Test]
    public void A_patient_more_or_less_below_the_threshold_changes_nothing_released()
    {
        // Two catalogues differing by one patient (n or n+1 matching, below the threshold, each with
        // its own noise): the answers cannot tell them apart.
        for (var i = 0; i < 500; i++)
        {
            var without = Default.Release(i % 9, "q" + i, 1, "patients").Released;
            var with = Default.Release((i % 9) + 1, "q" + i, 2, "patients").Released;
            Assert.That((without.ValueCase, with.ValueCase), Is.EqualTo((ReleasedCount.ValueOneofCase.FewerThan, ReleasedCount.ValueOneofCase.FewerThan)), $"query {i}");
        }
    }

    [Test]
    public void The_noise_is_laplace_with_scale_one_over_epsilon()
    {
        var releaser = new CountReleaser(new DisclosurePolicy { Epsilon = 0.5 }, Key);
        var draws = Enumerable.Range(0, 20000).Select(i => releaser.Noise("q" + i, 3, "c")).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(draws.Average(), Is.EqualTo(0).Within(0.1));
            Assert.That(draws.Average(Math.Abs), Is.EqualTo(2.0).Within(0.1), "E|X| = b = 1/epsilon");
            Assert.That(new CountReleaser(new DisclosurePolicy { Epsilon = 0 }, Key).Noise("q", 3, "c"), Is.Zero);
        });
    }

    [Test]
    public void Small_facet_cells_are_not_listed_and_take_others_with_them_until_the_withheld_hold_the_threshold()
    {
        var noNoise = new CountReleaser(new DisclosurePolicy { Epsilon = 0, Rounding = 1 }, Key);
        var (cells, withheld) = FacetReleaser.Release(noNoise, [("CT", 120), ("MR", 64), ("US", 30), ("PT", 3)], "q", 1, "modality");
        Assert.Multiple(() =>
        {
            Assert.That(cells.Select(c => c.Value), Is.EqualTo(new[] { "CT", "MR" }), "PT withheld, and with it the smallest released cell (US)");
            Assert.That(withheld, Is.EqualTo(2));
            Assert.That(cells.Single(c => c.Value == "CT").Count.Count, Is.EqualTo(120));
        });

        // Two small cells together below the threshold: a third goes with them.
        var (few, fewWithheld) = FacetReleaser.Release(noNoise, [("CT", 120), ("MR", 64), ("PT", 3), ("NM", 2)], "q", 1, "modality");
        Assert.Multiple(() =>
        {
            Assert.That(fewWithheld, Is.EqualTo(3));
            Assert.That(few.Select(c => c.Value), Is.EqualTo(new[] { "CT" }));
        });

        var (none, noneWithheld) = FacetReleaser.Release(noNoise, [("CT", 120), ("MR", 64)], "q", 1, "modality");
        Assert.That((noneWithheld, none.Count), Is.EqualTo((0, 2)));
    }

    [Test]
    public void The_noise_is_always_finite()
    {
        var releaser = new CountReleaser(new DisclosurePolicy(), Key);
        Assert.That(Enumerable.Range(0, 100_000).Select(i => releaser.Noise("q" + i, 1, "c")).All(double.IsFinite), Is.True);
    }
}
