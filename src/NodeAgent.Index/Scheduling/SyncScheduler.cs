using Microsoft.Extensions.Logging;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Sources;

namespace NodeAgent.Index.Scheduling;

/// <summary>
/// Keeps the catalogue fresh: each configured source is synced when <see cref="SyncPlanner"/> says
/// it is due, at most <see cref="MaxConcurrentSyncs"/> at a time (each PACS crawl holds one
/// association), only within its hours (a crawl running when they close stops at once and resumes
/// where it stopped when they open). A failing source (the PACS down) is retried with a doubling
/// back-off while the catalogue keeps answering from what it has; the others are not held up.
/// </summary>
public sealed partial class SyncScheduler(SiteCatalogue catalogue, IReadOnlyList<ScheduledSource> sources, TimeProvider time, ILogger<SyncScheduler> logger)
{
    /// <summary>How many sources sync at once.</summary>
    public int MaxConcurrentSyncs { get; init; } = 1;

    /// <summary>Raised after each sync, whatever its outcome (the count engine refreshes on it).</summary>
    public event EventHandler<SyncCompletedEventArgs>? SyncCompleted;

    /// <summary>Runs until cancelled; a sync under way is cancelled with it (its pass resumes at the next start).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(Math.Max(1, MaxConcurrentSyncs));
        var loops = sources.Select(s => RunSourceAsync(s, slots, cancellationToken)).ToList();
        await Task.WhenAll(loops).ConfigureAwait(false);
    }

    /// <summary>Syncs one source now, whatever its schedule (for a manual run), and says how it went.</summary>
    public async Task<SyncCompletedEventArgs> SyncNowAsync(ScheduledSource source, SyncScope scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var started = time.GetUtcNow();
        var errorBefore = catalogue.GetSource(source.Source.Name)?.LastError;
        using var activity = SyncTelemetry.Source.StartActivity("sync " + scope.ToString().ToLowerInvariant());
        activity?.SetTag("nodeagent.source", source.Source.Name);
        try
        {
            var summary = await source.Source.SyncAsync(catalogue, scope, cancellationToken).ConfigureAwait(false);
            var state = catalogue.GetSource(source.Source.Name);
            if (state is not null && state.ConsecutiveFailures != 0)
            {
                state.ConsecutiveFailures = 0;
                catalogue.SaveSource(state);
            }

            var seconds = (time.GetUtcNow() - started).TotalSeconds;
            LogSynced(logger, source.Source.Name, scope, summary, seconds);
            SyncTelemetry.Record(source.Source.Name, scope, succeeded: true, time.GetUtcNow() - started);
            return Completed(new SyncCompletedEventArgs(source.Source.Name, scope, succeeded: true, summary));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Any failure of one source is recorded and retried later; it must not stop the others.
        catch (Exception e)
#pragma warning restore CA1031
        {
            var state = catalogue.GetSource(source.Source.Name) ?? new SourceState { Id = source.Source.Name };
            state.ConsecutiveFailures++;
            state.LastSyncStarted = started.UtcDateTime;
            // The source's own account of this failure when it gave one, else the exception's.
            state.LastError = state.LastError is { } own && own != errorBefore ? own : $"{e.GetType().Name}: {e.Message}";
            catalogue.SaveSource(state);
            var retry = SyncPlanner.BackOff(source.Schedule, state.ConsecutiveFailures);

            // The exception's type only: a PACS's message may echo what it was asked.
            LogSyncFailed(logger, source.Source.Name, scope, e.GetType().Name, state.ConsecutiveFailures, retry.TotalSeconds);
            SyncTelemetry.Record(source.Source.Name, scope, succeeded: false, time.GetUtcNow() - started);
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.GetType().Name);
            return Completed(new SyncCompletedEventArgs(source.Source.Name, scope, succeeded: false, state.LastError));
        }
    }

    private SyncCompletedEventArgs Completed(SyncCompletedEventArgs args)
    {
        SyncCompleted?.Invoke(this, args);
        return args;
    }

    private async Task RunSourceAsync(ScheduledSource source, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(source, slots, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A source's loop must outlive anything one turn of it meets (the catalogue busy, a handler failing).
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogLoopFailed(logger, source.Source.Name, e.GetType().Name);
                try
                {
                    await Task.Delay(source.Schedule.RetryAfter, time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task RunOnceAsync(ScheduledSource source, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        var (scope, due) = SyncPlanner.Next(catalogue.GetSource(source.Source.Name), source.Schedule, source.Source.HasRecentScope, time.GetLocalNow());
        if (due > TimeSpan.Zero)
        {
            // Re-planned at least hourly: a clock change or a long back-off is never slept
            // through. A watched folder that changed is read now (within its hours).
            var sleep = due < TimeSpan.FromHours(1) ? due : TimeSpan.FromHours(1);
            if (source.Watch is null)
            {
                await Task.Delay(sleep, time, cancellationToken).ConfigureAwait(false);
                return;
            }

            if (!await ChangedWithinAsync(source.Watch, sleep, cancellationToken).ConfigureAwait(false) || !source.Schedule.Hours.Contains(time.GetLocalNow().TimeOfDay))
            {
                return;
            }

            scope = SyncScope.Full;
        }

        await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // The wait for a slot may have outlasted the hours: planned again then.
            var untilClose = source.Schedule.Hours.UntilClose(time.GetLocalNow());
            if (untilClose == TimeSpan.Zero)
            {
                return;
            }

            // The crawl stops when the hours close; its pass resumes when they open again.
            using var hours = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var closing = untilClose == Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource(untilClose, time);
            using var registration = closing?.Token.Register(hours.Cancel);
            try
            {
                await SyncNowAsync(source, scope, hours.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                var hoursText = source.Schedule.Hours.ToString();
                LogHoursClosed(logger, source.Source.Name, hoursText);
            }
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task<bool> ChangedWithinAsync(FolderWatch watch, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var changed = watch.WaitForChangeAsync(either.Token);
        var elapsed = Task.Delay(limit, time, either.Token);
        var first = await Task.WhenAny(changed, elapsed).ConfigureAwait(false);
        await either.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(changed, elapsed).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The other one, cancelled.
        }

        cancellationToken.ThrowIfCancellationRequested();
        return first == changed;
    }

    [LoggerMessage(EventId = 2004, Level = LogLevel.Error, Message = "Source {Source}: its scheduling loop met {Error}; it goes on after the retry delay")]
    private static partial void LogLoopFailed(ILogger logger, string source, string error);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Source {Source}: {Scope} sync done in {Seconds:F1} s: {Summary}")]
    private static partial void LogSynced(ILogger logger, string source, SyncScope scope, string summary, double seconds);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Source {Source}: {Scope} sync failed ({Error}), {Failures} in a row; the catalogue keeps answering from what it has; next try in {RetrySeconds:F0} s")]
    private static partial void LogSyncFailed(ILogger logger, string source, SyncScope scope, string error, int failures, double retrySeconds);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Source {Source}: its hours ({Hours}) closed; the sync stopped and resumes when they open")]
    private static partial void LogHoursClosed(ILogger logger, string source, string hours);
}

/// <summary>A source and its schedule; a watched folder is also read soon after it changes.</summary>
public sealed record ScheduledSource(IIndexSource Source, SyncSchedule Schedule, FolderWatch? Watch = null);

/// <summary>How one sync ended; <see cref="Summary"/> holds counts or the error, never identifying values.</summary>
public sealed class SyncCompletedEventArgs(string source, SyncScope scope, bool succeeded, string summary) : EventArgs
{
    public string Source { get; } = source;

    public SyncScope Scope { get; } = scope;

    public bool Succeeded { get; } = succeeded;

    public string Summary { get; } = summary;
}
