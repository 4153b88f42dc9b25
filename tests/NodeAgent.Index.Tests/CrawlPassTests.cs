using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Counting;
using NodeAgent.Index.Sources;
using NodeAgent.Index.Sources.Internal;
using NodeAgent.Pseudonymisation.Keys;

namespace NodeAgent.Index.Tests;

/// <summary>
/// The crawl against a PACS simulated in memory (a list of studies, an answer cap): passes resume at
/// the window they stopped in, complete passes remove what the PACS no longer has, recent passes
/// touch only their days.
/// </summary>
public sealed class CrawlPassTests
{
    private static readonly PseudonymGenerator Pseudonyms = new(SiteSecret.FromBytes(new byte[32]));
    private static readonly DateWindow Everything = new(new DateOnly(2000, 1, 1), new DateOnly(2025, 12, 31));
    private string _root = null!;

    [SetUp]
    public void CreateRoot() => _root = Directory.CreateTempSubdirectory("nodeagent-crawl-").FullName;

    [TearDown]
    public void DeleteRoot() => Directory.Delete(_root, recursive: true);

    [Test]
    public async Task A_pass_killed_at_any_window_resumes_there_and_ends_with_the_catalogue_of_an_uninterrupted_one()
    {
        var pacs = SimulatedPacs.Random(new Random(11), studies: 120, cap: 8);
        var reference = await CrawlToEndAsync(Path.Combine(_root, "reference.db"), pacs);
        var totalQueries = pacs.StudyQueries;
        Assert.That(reference.Splits, Is.GreaterThan(5), "the cap made the crawl split windows");

        foreach (var killAt in new[] { 1, 3, totalQueries / 2, totalQueries - 1 })
        {
            var db = Path.Combine(_root, $"killed-{killAt}.db");
            pacs.StudyQueries = 0;
            pacs.FailAtStudyQuery = killAt;
            using (var catalogue = SiteCatalogue.Open(db))
            {
                Assert.That(async () => await RunAsync(catalogue, pacs, SyncScope.Full), Throws.TypeOf<IOException>());
                Assert.That(catalogue.GetSource("pacs")!.FullPass, Is.Not.Null, "the pass is saved for the restart");
            }

            pacs.FailAtStudyQuery = -1;
            var before = pacs.StudyQueries;
            CrawlResult resumed;
            using (var catalogue = SiteCatalogue.Open(db))
            {
                resumed = await RunAsync(catalogue, pacs, SyncScope.Full);
            }

            Assert.Multiple(() =>
            {
                Assert.That(resumed.Resumed, Is.EqualTo(killAt > 1), $"kill at query {killAt}");
                Assert.That(pacs.StudyQueries - before, Is.LessThanOrEqualTo(totalQueries - killAt + 2), "windows done before the kill are not asked again");
                Assert.That(Snapshot(db), Is.EqualTo(Snapshot(Path.Combine(_root, "reference.db"))), "same records as an uninterrupted pass");
                Assert.That(resumed.Studies, Is.EqualTo(reference.Studies));
            });
        }
    }

    [Test]
    public async Task A_full_pass_removes_deleted_studies_and_a_recent_pass_adds_new_ones_without_removing_older_ones()
    {
        var pacs = SimulatedPacs.Random(new Random(12), studies: 60, cap: 1000);
        var db = Path.Combine(_root, "catalogue.db");
        await CrawlToEndAsync(db, pacs);
        var seriesBefore = Snapshot(db).Count;

        // One old study deleted, one new study today: a recent pass sees only the new one.
        var deleted = pacs.Studies.First(s => s.Date < new DateOnly(2020, 1, 1));
        pacs.Studies.Remove(deleted);
        pacs.Studies.Add(new SimulatedStudy("9.9.9.1", new DateOnly(2025, 12, 30), "NEW-PATIENT", ["9.9.9.1.1", "9.9.9.1.2"]));
        using (var catalogue = SiteCatalogue.Open(db))
        {
            var recent = await RunAsync(catalogue, pacs, SyncScope.Recent, new DateWindow(new DateOnly(2025, 12, 25), new DateOnly(2025, 12, 31)));
            Assert.Multiple(() =>
            {
                Assert.That(recent.SeriesRemoved, Is.Zero, "a recent pass judges only its own days");
                Assert.That(catalogue.SeriesCount, Is.EqualTo(seriesBefore + 2));
                Assert.That(catalogue.GetSource("pacs")!.LastRecentSync, Is.Not.Null);
            });

            var full = await RunAsync(catalogue, pacs, SyncScope.Full);
            Assert.Multiple(() =>
            {
                Assert.That(full.SeriesRemoved, Is.EqualTo(deleted.Series.Count));
                Assert.That(catalogue.SeriesCount, Is.EqualTo(seriesBefore + 2 - deleted.Series.Count));
                Assert.That(catalogue.SeriesOfSource("pacs").Any(r => r.StudyInstanceUid == deleted.Uid), Is.False);
                Assert.That(catalogue.GetSource("pacs")!.StudiesSeen, Is.EqualTo(pacs.Studies.Count));
                Assert.That(catalogue.GetSource("pacs")!.FullPass, Is.Null);
            });
        }
    }

    [Test]
    public async Task A_pass_killed_between_its_last_window_and_its_removals_completes_them_on_restart()
    {
        var pacs = SimulatedPacs.Random(new Random(13), studies: 30, cap: 1000);
        var db = Path.Combine(_root, "catalogue.db");
        await CrawlToEndAsync(db, pacs);
        var deleted = pacs.Studies[0];
        pacs.Studies.RemoveAt(0);

        // The state a kill would leave: the last window committed, the pass not yet completed.
        using (var catalogue = SiteCatalogue.Open(db))
        {
            var state = catalogue.GetSource("pacs")!;
            var pass = new CrawlPass { Number = ++state.LastPassNumber, From = DateWindow.ToInt(Everything.From), To = DateWindow.ToInt(Everything.To) };
            state.FullPass = pass;
            var records = catalogue.SeriesOfSource("pacs").Where(r => r.StudyInstanceUid != deleted.Uid).ToList();
            records.ForEach(r => r.Pass = pass.Number);
            catalogue.CommitWindow(records, state);
        }

        var queries = pacs.StudyQueries;
        using (var catalogue = SiteCatalogue.Open(db))
        {
            var result = await RunAsync(catalogue, pacs, SyncScope.Full);
            Assert.Multiple(() =>
            {
                Assert.That(pacs.StudyQueries, Is.EqualTo(queries), "nothing left to ask");
                Assert.That(result.SeriesRemoved, Is.EqualTo(deleted.Series.Count));
                Assert.That(catalogue.GetSource("pacs")!.FullPass, Is.Null);
            });
        }
    }

    [Test]
    public async Task A_pass_resumed_on_a_later_day_keeps_its_work_and_adds_the_days_since()
    {
        var pacs = SimulatedPacs.Random(new Random(14), studies: 80, cap: 8);
        pacs.Studies.Add(new SimulatedStudy("9.9.9.2", new DateOnly(2026, 1, 2), "LATE", ["9.9.9.2.1"]));
        var day1 = new DateWindow(Everything.From, new DateOnly(2026, 1, 1));
        var day2 = new DateWindow(Everything.From, new DateOnly(2026, 1, 3));
        var db = Path.Combine(_root, "catalogue.db");
        pacs.FailAtStudyQuery = 6;
        using (var catalogue = SiteCatalogue.Open(db))
        {
            Assert.That(async () => await RunAsync(catalogue, pacs, SyncScope.Full, day1), Throws.TypeOf<IOException>());
        }

        pacs.FailAtStudyQuery = -1;
        CrawlResult resumed;
        using (var catalogue = SiteCatalogue.Open(db))
        {
            resumed = await RunAsync(catalogue, pacs, SyncScope.Full, day2);
        }

        Assert.Multiple(() =>
        {
            Assert.That(resumed.Resumed, Is.True, "the next day's run resumed the pass instead of starting again");
            Assert.That(Snapshot(db).Count(r => r.Contains("|9.9.9.2|", StringComparison.Ordinal)), Is.EqualTo(1), "the day after the first range is crawled too");
            Assert.That(Snapshot(db), Has.Count.EqualTo(pacs.Studies.Sum(st => st.Series.Count)));
        });
    }

    [Test]
    public void Times_read_back_as_local_are_kept_as_utc()
    {
        var local = new DateTime(2026, 6, 1, 12, 0, 0, DateTimeKind.Local);
        var state = new SourceState { LastFullSync = local, LastSyncStarted = local.ToUniversalTime() };
        Assert.Multiple(() =>
        {
            Assert.That(state.LastFullSync!.Value.Kind, Is.EqualTo(DateTimeKind.Utc));
            Assert.That(state.LastFullSync, Is.EqualTo(local.ToUniversalTime()));
            Assert.That(state.LastSyncStarted, Is.EqualTo(local.ToUniversalTime()));
        });
    }

    [Test]
    public void The_next_scope_is_full_until_a_full_sync_completed_and_while_one_is_under_way()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SyncScopes.Next(null, fullAsked: false), Is.EqualTo(SyncScope.Full));
            Assert.That(SyncScopes.Next(new SourceState { LastFullSync = DateTime.UtcNow }, fullAsked: false), Is.EqualTo(SyncScope.Recent));
            Assert.That(SyncScopes.Next(new SourceState { LastFullSync = DateTime.UtcNow }, fullAsked: true), Is.EqualTo(SyncScope.Full));
            Assert.That(SyncScopes.Next(new SourceState { LastFullSync = DateTime.UtcNow, FullPass = new CrawlPass() }, fullAsked: false), Is.EqualTo(SyncScope.Full));
        });
    }

    private static async Task<CrawlResult> CrawlToEndAsync(string db, SimulatedPacs pacs)
    {
        using var catalogue = SiteCatalogue.Open(db);
        return await RunAsync(catalogue, pacs, SyncScope.Full);
    }

    private static Task<CrawlResult> RunAsync(SiteCatalogue catalogue, SimulatedPacs pacs, SyncScope scope, DateWindow? range = null)
    {
        var state = catalogue.GetSource("pacs") ?? new SourceState { Id = "pacs", Kind = "dimse" };
        return new StudyDateCrawl("pacs", Pseudonyms).RunAsync(catalogue, state, scope, range ?? Everything, pacs.StudiesAsync, pacs.SeriesAsync, null, CancellationToken.None);
    }

    private static List<string> Snapshot(string db)
    {
        using var catalogue = SiteCatalogue.OpenReadOnly(db);
        return catalogue.Series().Select(r => $"{r.Id}|{r.StudyInstanceUid}|{r.PatientKey}|{r.StudyDate}|{r.Modality}|{r.Instances}").Order(StringComparer.Ordinal).ToList();
    }
}

internal sealed record SimulatedStudy(string Uid, DateOnly Date, string PatientId, List<string> Series);

/// <summary>A PACS in memory that caps its answers as many do, and can fail at a given query.</summary>
internal sealed class SimulatedPacs(List<SimulatedStudy> studies, int cap)
{
    public List<SimulatedStudy> Studies { get; } = studies;

    public int StudyQueries { get; set; }

    public int FailAtStudyQuery { get; set; } = -1;

    public static SimulatedPacs Random(Random random, int studies, int cap)
    {
        var list = new List<SimulatedStudy>();
        for (var i = 0; i < studies; i++)
        {
            var date = new DateOnly(2000, 1, 1).AddDays(random.Next(0, 9500));
            list.Add(new SimulatedStudy($"1.2.826.0.1.{i}", date, $"P{random.Next(0, studies / 2)}", Enumerable.Range(0, random.Next(1, 4)).Select(s => $"1.2.826.0.1.{i}.{s}").ToList()));
        }

        return new SimulatedPacs(list, cap);
    }

    public Task<StudyAnswer> StudiesAsync(DateWindow? window, CancellationToken cancellationToken)
    {
        if (++StudyQueries == FailAtStudyQuery)
        {
            throw new IOException("the PACS went away");
        }

        var matches = Studies.Where(s => window is not { } w || w.Contains(DateWindow.ToInt(s.Date))).ToList();
        var answered = matches.Take(cap).Select(s => new StudyFacts(s.Uid, s.PatientId, null, "F", "050Y", null, s.Date)).ToList();
        return Task.FromResult(new StudyAnswer(answered, matches.Count > cap));
    }

    public Task<SeriesAnswer> SeriesAsync(string studyUid, CancellationToken cancellationToken)
    {
        var study = Studies.Single(s => s.Uid == studyUid);
        return Task.FromResult(new SeriesAnswer(study.Series.Select(s => new SeriesFacts(s, "MR", "PROSTATE", "ACME", "M1", 10)).ToList(), false));
    }
}
