using System.Collections.Concurrent;
using NodeAgent.Federation.Disclosure;
using NodeAgent.Federation.Tests.Reference;
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

    // Cells of every shape the formatting meets: short, past the stack buffer, non-ASCII, and lone
    // surrogates (which UTF-8 encodes as U+FFFD).
    private static readonly string[] Cells = ["patients", "studies", "series", "instances", "facet|modality|Studies|CT", "facet|manufacturer|Studies|" + new string('Ü', 200), "facet|bodypart|Studies|\uD800x\uDFFF", "", "ä€😀"];

    private static (string Hash, ulong Fingerprint, string Cell) Input(int i) =>
        (Convert.ToHexStringLower(BitConverter.GetBytes(i * 2654435761L)).PadLeft(64, 'a'), (ulong)i * 0x9E3779B97F4A7C15UL, Cells[i % Cells.Length] + (i % 3 == 0 ? "" : i.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    [Test]
    public void The_noise_is_the_one_shot_hmac_derivation_for_every_input()
    {
        var releaser = new CountReleaser(new DisclosurePolicy { Epsilon = 0.7 }, Key);
        var differing = Enumerable.Range(0, 5000).Select(Input).Count(x => BitConverter.DoubleToInt64Bits(releaser.Noise(x.Hash, x.Fingerprint, x.Cell)) != BitConverter.DoubleToInt64Bits(OneShotNoise.Of(Key, 0.7, x.Hash, x.Fingerprint, x.Cell)));
        Assert.That(differing, Is.Zero);
    }

    [Test]
    public void The_noise_is_the_one_shot_derivation_when_many_threads_and_keys_draw_at_once()
    {
        // Two releasers of different keys used alternately by each of 16 threads: every thread's
        // context must be its own and keyed by the releaser asking.
        byte[] otherKey = [.. Enumerable.Range(0, 32).Select(i => (byte)(255 - i))];
        var releasers = new[] { new CountReleaser(new DisclosurePolicy(), Key), new CountReleaser(new DisclosurePolicy(), otherKey) };
        var keys = new[] { Key, otherKey };
        var wrong = new ConcurrentBag<int>();
        var threads = Enumerable.Range(0, 16).Select(t => new Thread(() =>
        {
            for (var i = t; i < 40_000; i += 16)
            {
                var which = (i / 7) % 2;
                var (hash, fingerprint, cell) = Input(i);
                try
                {
                    if (BitConverter.DoubleToInt64Bits(releasers[which].Noise(hash, fingerprint, cell)) != BitConverter.DoubleToInt64Bits(OneShotNoise.Of(keys[which], 1, hash, fingerprint, cell)))
                    {
                        wrong.Add(i);
                    }
                }
                catch (System.Security.Cryptography.CryptographicException)
                {
                    wrong.Add(i);
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.That(wrong, Is.Empty);
    }

    [Test]
    public void A_releaser_keeps_its_key_if_the_callers_array_changes_later()
    {
        var key = (byte[])Key.Clone();
        var releaser = new CountReleaser(new DisclosurePolicy(), key);
        key[0] ^= 0xFF;
        Assert.That(releaser.Noise("q", 1, "c"), Is.EqualTo(OneShotNoise.Of(Key, 1, "q", 1, "c")));
    }
}
