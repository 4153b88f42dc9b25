using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Counting;
using NodeAgent.Index.Scheduling;
using NodeAgent.Index.Sources;

namespace NodeAgent.Index.Tests;

public sealed class SchedulingTests
{
    private static readonly DateTimeOffset Noon = new(2025, 6, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly SyncSchedule Default = new();
    private string _root = null!;

    [SetUp]
    public void CreateRoot() => _root = Directory.CreateTempSubdirectory("nodeagent-schedule-").FullName;

    [TearDown]
    public void DeleteRoot() => Directory.Delete(_root, recursive: true);

    private static SourceState Synced(TimeSpan fullAgo, TimeSpan? recentAgo = null) => new()
    {
        Id = "pacs",
        LastFullSync = (Noon - fullAgo).UtcDateTime,
        LastSuccessfulSync = (Noon - (recentAgo ?? fullAgo)).UtcDateTime,
        LastRecentSync = recentAgo is { } r ? (Noon - r).UtcDateTime : null,
    };

    [Test]
    public void The_planner_resumes_first_then_reconciles_daily_and_catches_up_on_recent_days_in_between()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SyncPlanner.Next(null, Default, true, Noon), Is.EqualTo((SyncScope.Full, TimeSpan.Zero)), "never synced");
            Assert.That(SyncPlanner.Next(Synced(TimeSpan.FromMinutes(10)), Default, true, Noon), Is.EqualTo((SyncScope.Recent, TimeSpan.FromMinutes(5))));
            Assert.That(SyncPlanner.Next(Synced(TimeSpan.FromHours(3), TimeSpan.FromMinutes(14)), Default, true, Noon), Is.EqualTo((SyncScope.Recent, TimeSpan.FromMinutes(1))));
            Assert.That(SyncPlanner.Next(Synced(TimeSpan.FromHours(25), TimeSpan.FromMinutes(1)), Default, true, Noon), Is.EqualTo((SyncScope.Full, TimeSpan.Zero)), "a day since the last reconciliation");
            Assert.That(SyncPlanner.Next(Synced(TimeSpan.FromHours(1)), Default, false, Noon), Is.EqualTo((SyncScope.Full, TimeSpan.FromHours(23))), "a folder is read whole");
            var resuming = Synced(TimeSpan.FromMinutes(1));
            resuming.FullPass = new CrawlPass();
            Assert.That(SyncPlanner.Next(resuming, Default, true, Noon), Is.EqualTo((SyncScope.Full, TimeSpan.Zero)), "a pass under way resumes at once");
        });
    }

    [Test]
    public void After_failures_the_planner_backs_off_doubling_up_to_the_maximum_and_waits_for_the_hours()
    {
        var failing = new SourceState { Id = "pacs", ConsecutiveFailures = 3, LastSyncStarted = Noon.UtcDateTime };
        var night = Default with { Hours = AllowedHours.Parse("20:00-06:00") };
        Assert.Multiple(() =>
        {
            Assert.That(SyncPlanner.Next(failing, Default, true, Noon).Due, Is.EqualTo(TimeSpan.FromMinutes(4)));
            Assert.That(SyncPlanner.BackOff(Default, 1), Is.EqualTo(TimeSpan.FromMinutes(1)));
            Assert.That(SyncPlanner.BackOff(Default, 40), Is.EqualTo(TimeSpan.FromHours(1)));
            Assert.That(SyncPlanner.Next(null, night, true, Noon).Due, Is.EqualTo(TimeSpan.FromHours(8)));
            Assert.That(SyncPlanner.Next(null, night, true, Noon.AddHours(11)).Due, Is.EqualTo(TimeSpan.Zero), "23:00 is inside 20:00-06:00");
            Assert.That(SyncPlanner.Next(null, night, true, Noon.AddHours(-7)).Due, Is.EqualTo(TimeSpan.Zero), "05:00 too");
        });
    }

    [TestCase("20:00-06:00", "22:00", true, "08:00")]
    [TestCase("20:00-06:00", "05:59", true, "00:01")]
    [TestCase("20:00-06:00", "06:00", false, null)]
    [TestCase("08:00-17:30", "12:00", true, "05:30")]
    [TestCase("00:00-24:00", "12:00", true, null)]
    [TestCase("20:00-06:00", "12:00", false, "00:00")]
    public void Allowed_hours_hold_over_midnight(string hours, string at, bool open, string? untilClose)
    {
        var parsed = AllowedHours.Parse(hours);
        var now = new DateTimeOffset(2025, 6, 2, 0, 0, 0, TimeSpan.Zero) + TimeSpan.Parse(at, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Multiple(() =>
        {
            Assert.That(parsed.Contains(now.TimeOfDay), Is.EqualTo(open));
            Assert.That(parsed.ToString(), Is.EqualTo(hours));
            if (untilClose is not null && (open || untilClose == "00:00"))
            {
                Assert.That(parsed.UntilClose(now), Is.EqualTo(TimeSpan.Parse(untilClose, System.Globalization.CultureInfo.InvariantCulture)));
            }
        });
    }

    [TestCase("")]
    [TestCase("20:00")]
    [TestCase("25:00-06:00")]
    [TestCase("08:00-08:00")]
    [TestCase("8-17")]
    public void Bad_hours_are_refused_with_the_expected_form(string text) =>
        Assert.That(() => AllowedHours.Parse(text), Throws.TypeOf<FormatException>().With.Message.Contains("HH:mm-HH:mm"));

    [Test]
    public async Task A_failing_source_is_retried_with_back_off_and_does_not_hold_up_a_healthy_one()
    {
        var time = new FakeTimeProvider(Noon);
        using var catalogue = SiteCatalogue.Open(Path.Combine(_root, "c.db"));
        var healthy = new FakeSource("healthy", catalogue, time);
        var down = new FakeSource("down", catalogue, time) { Fails = true };
        var scheduler = new SyncScheduler(catalogue, [new(healthy, Default), new(down, Default)], time, NullLogger<SyncScheduler>.Instance) { MaxConcurrentSyncs = 2 };
        using var stop = new CancellationTokenSource();
        var run = scheduler.RunAsync(stop.Token);

        // Ten minutes of fake time in 30 s steps: the healthy source syncs in full once; the down
        // one is tried at 0, 1, 3 and 7 minutes (back-off 1, 2, 4 minutes).
        await AdvanceAsync(time, TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(30));
        Assert.Multiple(() =>
        {
            Assert.That(healthy.Syncs, Is.EqualTo(new[] { SyncScope.Full }));
            Assert.That(down.Syncs, Has.Count.EqualTo(4));
            Assert.That(catalogue.GetSource("down")!.ConsecutiveFailures, Is.EqualTo(4));
            Assert.That(catalogue.GetSource("down")!.LastError, Does.Contain("IOException"));
        });

        // Past the 15 minutes: the recent days of the healthy source.
        await AdvanceAsync(time, TimeSpan.FromMinutes(6), TimeSpan.FromSeconds(30));
        Assert.That(healthy.Syncs, Is.EqualTo(new[] { SyncScope.Full, SyncScope.Recent }));

        // The PACS is back: the next try (at 31 minutes, after the fifth at 15) succeeds and the
        // failures are forgotten.
        down.Fails = false;
        Assert.That(down.Syncs, Has.Count.EqualTo(5));
        await AdvanceAsync(time, TimeSpan.FromMinutes(16), TimeSpan.FromSeconds(30));
        Assert.Multiple(() =>
        {
            Assert.That(down.Syncs, Has.Count.EqualTo(6));
            Assert.That(catalogue.GetSource("down")!.ConsecutiveFailures, Is.Zero);
        });
        await stop.CancelAsync();
        await run;
    }

    [Test]
    public async Task A_sync_running_when_its_hours_close_stops_without_counting_as_a_failure()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 6, 2, 0, 30, 0, TimeSpan.Zero));
        using var catalogue = SiteCatalogue.Open(Path.Combine(_root, "c.db"));
        var slow = new FakeSource("slow", catalogue, time) { BlocksUntilCancelled = true };
        var scheduler = new SyncScheduler(catalogue, [new(slow, Default with { Hours = AllowedHours.Parse("00:00-01:00") })], time, NullLogger<SyncScheduler>.Instance);
        using var stop = new CancellationTokenSource();
        var run = scheduler.RunAsync(stop.Token);
        await AdvanceAsync(time, TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(1));
        Assert.That(slow.Cancelled, Is.Zero, "still inside its hours");
        await AdvanceAsync(time, TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(1));
        Assert.Multiple(() =>
        {
            Assert.That(slow.Cancelled, Is.EqualTo(1), "stopped at 01:00");
            Assert.That(slow.Syncs, Has.Count.EqualTo(1), "not restarted before the hours open again");
            Assert.That(catalogue.GetSource("slow")?.ConsecutiveFailures ?? 0, Is.Zero);
        });
        await stop.CancelAsync();
        await run;
    }

    [Test]
    public async Task An_empty_engine_is_replaced_as_soon_as_the_first_records_arrive()
    {
        var time = new FakeTimeProvider(Noon);
        using var catalogue = SiteCatalogue.Open(Path.Combine(_root, "c.db"));
        using var live = new LiveCountEngine(catalogue, TimeSpan.FromMinutes(5), time);
        using var stop = new CancellationTokenSource();
        var run = live.RunAsync(stop.Token);
        catalogue.Upsert(RandomCatalogue.Records(new Random(4), 10, 5, 2));
        await WaitForAsync(() => live.Current.SeriesCount == 10);
        Assert.That(live.Current.SeriesCount, Is.EqualTo(10), "no wait for the interval: there was nothing to answer from");
        await stop.CancelAsync();
        Assert.That(async () => await run, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task A_watched_folder_is_read_soon_after_files_arrive_not_at_the_next_scheduled_read()
    {
        var time = new FakeTimeProvider(Noon);
        var watched = Directory.CreateDirectory(Path.Combine(_root, "drop")).FullName;
        using var catalogue = SiteCatalogue.Open(Path.Combine(_root, "c.db"));
        var folder = new FakeSource("drop", catalogue, time);
        using var watch = new FolderWatch(watched, TimeSpan.FromMilliseconds(300), TimeProvider.System);
        var scheduler = new SyncScheduler(catalogue, [new(folder, Default, watch)], time, NullLogger<SyncScheduler>.Instance);
        using var stop = new CancellationTokenSource();
        var run = scheduler.RunAsync(stop.Token);
        await WaitForAsync(() => folder.Syncs.Count == 1);
        await Task.Delay(500);
        Assert.That(folder.Syncs, Has.Count.EqualTo(1), "nothing changed: the next read is a day away");

        for (var i = 0; i < 5; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(watched, $"{i}.dcm"), "x");
        }

        await WaitForAsync(() => folder.Syncs.Count == 2);
        await Task.Delay(700);
        Assert.Multiple(() =>
        {
            Assert.That(folder.Syncs, Is.EqualTo(new[] { SyncScope.Full, SyncScope.Full }), "one read for the burst of files");
        });
        await stop.CancelAsync();
        await run;
    }

    [Test]
    public void The_live_engine_answers_from_the_last_build_until_the_rebuild_after_a_change()
    {
        var time = new FakeTimeProvider(Noon);
        using var catalogue = SiteCatalogue.Open(Path.Combine(_root, "c.db"));
        catalogue.Upsert(RandomCatalogue.Records(new Random(1), 30, 10, 2));
        using var live = new LiveCountEngine(catalogue, TimeSpan.FromSeconds(5), time);
        var before = live.Current.Count(Criterion.All);
        Assert.That(before.Series, Is.EqualTo(30));

        catalogue.Upsert(RandomCatalogue.Records(new Random(2), 5, 3, 2).Select(r => { r.Id += "-new"; r.SeriesInstanceUid += "-new"; return r; }).ToList());
        Assert.Multiple(() =>
        {
            Assert.That(live.IsStale, Is.True);
            Assert.That(live.Current.Count(Criterion.All).Series, Is.EqualTo(30), "the previous engine until the rebuild");
        });
        var version = live.Version;
        live.Rebuild();
        Assert.Multiple(() =>
        {
            Assert.That(live.Current.Count(Criterion.All).Series, Is.EqualTo(35));
            Assert.That(live.Version, Is.EqualTo(version + 1));
            Assert.That(live.IsStale, Is.False);
        });
    }

    [Test]
    public async Task The_live_engine_rebuilds_by_itself_once_for_a_burst_of_changes()
    {
        var time = new FakeTimeProvider(Noon);
        using var catalogue = SiteCatalogue.Open(Path.Combine(_root, "c.db"));
        var records = RandomCatalogue.Records(new Random(3), 25, 5, 2);
        catalogue.Upsert(records.Take(5).ToList());
        using var live = new LiveCountEngine(catalogue, TimeSpan.FromSeconds(5), time);
        using var stop = new CancellationTokenSource();
        var run = live.RunAsync(stop.Token);
        foreach (var record in records.Skip(5))
        {
            catalogue.Upsert([record]);
        }

        await AdvanceAsync(time, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
        await WaitForAsync(() => live.Current.SeriesCount == 25);
        Assert.That(live.Version, Is.EqualTo(2), "one rebuild for the burst");
        await stop.CancelAsync();
        Assert.That(async () => await run, Throws.InstanceOf<OperationCanceledException>());
    }

    private static async Task AdvanceAsync(FakeTimeProvider time, TimeSpan total, TimeSpan step)
    {
        for (var t = TimeSpan.Zero; t < total; t += step)
        {
            await Task.Delay(30); // let the loops reach their next wait
            time.Advance(step);
        }

        await Task.Delay(50);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(25);
        }
    }

    private sealed class FakeSource(string name, SiteCatalogue catalogue, TimeProvider time) : IIndexSource
    {
        public string Name { get; } = name;

        public bool HasRecentScope => true;

        public bool Fails { get; set; }

        public bool BlocksUntilCancelled { get; set; }

        public List<SyncScope> Syncs { get; } = [];

        public int Cancelled { get; private set; }

        public async Task<string> SyncAsync(SiteCatalogue target, SyncScope scope, CancellationToken cancellationToken)
        {
            Syncs.Add(scope);
            var state = catalogue.GetSource(Name) ?? new SourceState { Id = Name };
            state.LastSyncStarted = time.GetUtcNow().UtcDateTime;
            catalogue.SaveSource(state);
            if (Fails)
            {
                throw new IOException("the PACS could not be reached");
            }

            if (BlocksUntilCancelled)
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    Cancelled++;
                    throw;
                }
            }

            // What a real source records on success, in fake time.
            state.LastSuccessfulSync = state.LastSyncStarted;
            if (scope == SyncScope.Full)
            {
                state.LastFullSync = state.LastSuccessfulSync;
            }
            else
            {
                state.LastRecentSync = state.LastSuccessfulSync;
            }

            catalogue.SaveSource(state);
            return "ok";
        }
    }
}
