using Microsoft.Extensions.Time.Testing;
using NodeAgent.Federation.Disclosure;
using NodeAgent.Federation.Security;

namespace NodeAgent.Federation.Tests;

public sealed class LedgerTests
{
    private string _root = null!;

    [SetUp]
    public void CreateRoot() => _root = Directory.CreateTempSubdirectory("nodeagent-ledger-").FullName;

    [TearDown]
    public void DeleteRoot() => Directory.Delete(_root, recursive: true);

    [Test]
    public void New_queries_spend_the_budget_repeats_are_free_a_spent_budget_refuses_and_renews_next_month()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero));
        var path = Path.Combine(_root, "ledger.jsonl");
        using (var ledger = PrivacyLedger.Open(path, budget: 10, time))
        {
            Assert.Multiple(() =>
            {
                Assert.That(ledger.TryCharge("hub", "count|a", 4), Is.True);
                Assert.That(ledger.TryCharge("hub", "count|a", 4), Is.True, "the same query again");
                Assert.That(ledger.TryCharge("hub", "count|b", 4), Is.True);
                Assert.That(ledger.Spent("hub"), Is.EqualTo(8));
                Assert.That(ledger.TryCharge("hub", "count|c", 4), Is.False, "12 > 10");
                Assert.That(ledger.TryCharge("hub", "facets|c", 1), Is.True, "a cheaper one still fits");
                Assert.That(ledger.TryCharge("other-hub", "count|c", 4), Is.True, "each requester has its own budget");
                Assert.That(ledger.Renews, Is.EqualTo(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)));
            });
        }

        File.AppendAllText(path, "{\"Period\":\"2026-11\",\"Requ");
        using (var reopened = PrivacyLedger.Open(path, budget: 10, time))
        {
            Assert.Multiple(() =>
            {
                Assert.That(reopened.Spent("hub"), Is.EqualTo(9), "a restart forgets nothing (and skips a line cut short)");
                Assert.That(reopened.TryCharge("hub", "count|a", 4), Is.True);
                Assert.That(reopened.TryCharge("hub", "count|d", 4), Is.False);
                Assert.That(reopened.TryCharge("hub", "facets|e", 1), Is.True);
            });
        }

        // The charge made after the cut-short line survives the next restart.
        using (var reopened = PrivacyLedger.Open(path, budget: 10, time))
        {
            Assert.That(reopened.Spent("hub"), Is.EqualTo(10));
            time.Advance(TimeSpan.FromDays(11));
            Assert.Multiple(() =>
            {
                Assert.That(reopened.Spent("hub"), Is.Zero, "a new month");
                Assert.That(reopened.TryCharge("hub", "count|d", 4), Is.True);
            });
        }
    }

    [Test]
    public void Ledger_lines_are_the_serializers_bytes_whatever_the_threads_names_and_epsilons()
    {
        // Lines written from many threads, each formatting into a buffer of its own: every line is
        // what JsonSerializer.SerializeToUtf8Bytes wrote for the charge, and the file reads back.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero));
        var path = Path.Combine(_root, "ledger.jsonl");
        string[] names = ["hub", "hub \"quoted\"", "hôpital-ß", "<script>", "a+b&c", "😀", ""];
        double[] epsilons = [1, 4, 0.1, 1.0 / 3, 1e-7, 2.5e10];
        var charges = Enumerable.Range(0, 3000).Select(i => new Charge("2026-11", names[i % names.Length], $"count|{i}|{names[(i / 7) % names.Length]}", epsilons[i % epsilons.Length])).ToList();
        using (var ledger = PrivacyLedger.Open(path, budget: 1e15, time))
        {
            Parallel.ForEach(charges, new ParallelOptions { MaxDegreeOfParallelism = 8 }, c => Assert.That(ledger.TryCharge(c.Requester, c.Key, c.Epsilon), Is.True));
            var spent = ledger.Spent(charges[5].Requester);
            var length = new FileInfo(path).Length;
            Assert.Multiple(() =>
            {
                Assert.That(ledger.TryCharge(charges[5].Requester, charges[5].Key, charges[5].Epsilon), Is.True, "charged already");
                Assert.That(ledger.Spent(charges[5].Requester), Is.EqualTo(spent), "nothing spent again");
                Assert.That(new FileInfo(path).Length, Is.EqualTo(length), "no second line");
                Assert.That(() => ledger.TryCharge(charges[5].Requester, charges[5].Key, double.NaN), Throws.TypeOf<ArgumentOutOfRangeException>(), "not even for a query charged already");
                Assert.That(() => ledger.TryCharge("hub", "count|new", double.PositiveInfinity), Throws.TypeOf<ArgumentOutOfRangeException>());
            });
        }

        var expected = charges.Select(c => System.Text.Encoding.UTF8.GetString(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(c, LedgerJson.Default.Charge))).Order(StringComparer.Ordinal);
        var lines = System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(path)).Split('\n');
        Assert.Multiple(() =>
        {
            Assert.That(lines[^1], Is.Empty, "every line ends");
            Assert.That(lines[..^1].Order(StringComparer.Ordinal), Is.EqualTo(expected));
        });

        using var reopened = PrivacyLedger.Open(path, budget: 1e15, time);
        Assert.That(reopened.Spent("hub"), Is.EqualTo(charges.Where(c => c.Requester == "hub").Sum(c => c.Epsilon)).Within(1e-9).Percent, "summed in another order");
    }

    [Test]
    public void A_requester_over_its_rate_is_refused_while_another_is_not()
    {
        using var limiter = new RequesterRateLimiter(perSecond: 5, burst: 10);
        var granted = Enumerable.Range(0, 30).Count(_ => limiter.TryAcquire("busy"));
        Assert.Multiple(() =>
        {
            Assert.That(granted, Is.InRange(10, 12), "the burst, and little more within the same instant");
            Assert.That(limiter.TryAcquire("quiet"), Is.True);
        });
    }
}
