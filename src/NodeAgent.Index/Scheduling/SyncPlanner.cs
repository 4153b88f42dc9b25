using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Sources;

namespace NodeAgent.Index.Scheduling;

/// <summary>What a source needs next, and when: the scheduler's decisions, kept free of clocks and I/O.</summary>
public static class SyncPlanner
{
    /// <summary>
    /// The next sync of a source and how long until it is due (zero: now). In order: a full pass under
    /// way resumes; a full sync is due when none completed or the last is older than
    /// <see cref="SyncSchedule.FullEvery"/>; else the recent days after <see cref="SyncSchedule.RecentEvery"/>.
    /// After failures in a row, nothing before the back-off has passed (a breaker that survives restarts);
    /// outside the allowed hours, nothing before they open.
    /// </summary>
    public static (SyncScope Scope, TimeSpan Due) Next(SourceState? state, SyncSchedule schedule, bool hasRecentScope, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var utc = now.UtcDateTime;
        SyncScope scope;
        TimeSpan due;
        if (state?.FullPass is not null || state?.LastFullSync is null && state?.LastSuccessfulSync is null)
        {
            (scope, due) = (SyncScope.Full, TimeSpan.Zero);
        }
        else
        {
            var lastFull = state.LastFullSync ?? state.LastSuccessfulSync!.Value;
            var fullDue = lastFull + schedule.FullEvery - utc;
            var lastAny = Max(lastFull, state.LastRecentSync ?? DateTime.MinValue);
            var recentDue = lastAny + schedule.RecentEvery - utc;
            (scope, due) = !hasRecentScope || fullDue <= recentDue ? (SyncScope.Full, fullDue) : (SyncScope.Recent, recentDue);
        }

        if (state is { ConsecutiveFailures: > 0, LastSyncStarted: { } started })
        {
            var backOff = BackOff(schedule, state.ConsecutiveFailures);
            due = Max(due, started + backOff - utc);
        }

        due = Max(due, TimeSpan.Zero);
        var opens = schedule.Hours.UntilOpen(now + due);
        return (scope, due + opens);
    }

    /// <summary>The wait after <paramref name="failures"/> failed syncs in a row.</summary>
    public static TimeSpan BackOff(SyncSchedule schedule, int failures)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var factor = Math.Pow(2, Math.Min(Math.Max(failures - 1, 0), 30));
        var wait = schedule.RetryAfter.TotalSeconds * factor;
        return TimeSpan.FromSeconds(Math.Min(wait, schedule.MaxRetryAfter.TotalSeconds));
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;
}
