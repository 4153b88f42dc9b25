using NodeAgent.Index.Catalogue;
using NodeAgent.Pseudonymisation.Keys;

namespace NodeAgent.Index.Sources.Internal;

/// <summary>A range of study dates; null stands for "every study, dated or not".</summary>
internal readonly record struct DateWindow(DateOnly From, DateOnly To)
{
    public bool Contains(int? studyDate) => studyDate is { } d && d >= ToInt(From) && d <= ToInt(To);

    public static int ToInt(DateOnly date) => (date.Year * 10000) + (date.Month * 100) + date.Day;

    public static DateOnly FromInt(int yyyymmdd) => new(yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100);

    public static DateWindow? Of(CrawlWindow window) =>
        window.From is { } f && window.To is { } t ? new DateWindow(FromInt(f), FromInt(t)) : null;

    public static CrawlWindow ToCrawlWindow(DateWindow? window) =>
        window is { } w ? new CrawlWindow { From = ToInt(w.From), To = ToInt(w.To) } : new CrawlWindow();
}

/// <summary>The studies a PACS gave for a window, and whether it stopped short (capped).</summary>
internal readonly record struct StudyAnswer(IReadOnlyList<StudyFacts> Studies, bool Capped);

/// <summary>The series a PACS gave for a study, and whether it stopped short.</summary>
internal readonly record struct SeriesAnswer(IReadOnlyList<SeriesFacts> Series, bool Capped);

/// <summary>
/// The crawl both PACS sources share, whatever the protocol: study-date windows halved whenever the
/// PACS caps its answers, the series of each study, each window's records committed with the pass's
/// remaining windows (a killed or interrupted sync resumes at the window it stopped in), and after a
/// complete pass the removal of the series the PACS no longer has, among the dates crawled only.
/// </summary>
internal sealed class StudyDateCrawl(string source, PseudonymGenerator pseudonyms)
{
    public async Task<CrawlResult> RunAsync(
        SiteCatalogue catalogue,
        SourceState state,
        SyncScope scope,
        DateWindow? range,
        Func<DateWindow?, CancellationToken, Task<StudyAnswer>> studies,
        Func<string, CancellationToken, Task<SeriesAnswer>> series,
        IProgress<DimseSyncProgress>? progress,
        CancellationToken cancellationToken)
    {
        var pass = StartOrResume(catalogue, state, scope, range);
        var resumed = pass.WindowsDone > 0 || pass.Splits > 0;
        var seenStudies = new HashSet<string>(StringComparer.Ordinal);
        int windowsThisRun = 0, seriesThisRun = 0;
        var failedCommit = false;
        try
        {
            while (pass.Pending.Count > 0)
            {
                var current = pass.Pending[^1];
                var window = DateWindow.Of(current);
                var answer = await studies(window, cancellationToken).ConfigureAwait(false);
                if (answer.Capped && window is { } w)
                {
                    if (w.From < w.To)
                    {
                        // Capped: the window is halved and both halves asked again, newest first.
                        var middle = DateOnly.FromDayNumber(w.From.DayNumber + ((w.To.DayNumber - w.From.DayNumber) / 2));
                        pass.Pending.RemoveAt(pass.Pending.Count - 1);
                        pass.Pending.Add(DateWindow.ToCrawlWindow(new DateWindow(w.From, middle)));
                        pass.Pending.Add(DateWindow.ToCrawlWindow(new DateWindow(middle.AddDays(1), w.To)));
                        pass.Splits++;
                        catalogue.SaveSource(state);
                        continue;
                    }

                    // One day holds more studies than the PACS answers: what it gave is indexed (counted below).
                }

                // Counted for this window, and into the pass only with its commit: a window that
                // fails is done again whole on resume, without counting anything twice.
                var cappedDay = answer.Capped && window is not null ? 1 : 0;
                int cappedStudies = 0, withoutSeries = 0;
                var records = new List<SeriesRecord>();
                foreach (var study in answer.Studies)
                {
                    if (!seenStudies.Add(study.StudyUid))
                    {
                        continue; // met again (a page shifted by an arrival): counted once
                    }

                    var seriesAnswer = await series(study.StudyUid, cancellationToken).ConfigureAwait(false);
                    cappedStudies += seriesAnswer.Capped ? 1 : 0;
                    withoutSeries += seriesAnswer.Series.Count == 0 ? 1 : 0;
                    foreach (var facts in seriesAnswer.Series)
                    {
                        var record = SeriesRecordFactory.Create(source, study, facts, pseudonyms);
                        record.Pass = pass.Number;
                        records.Add(record);
                    }
                }

                pass.Pending.RemoveAt(pass.Pending.Count - 1);
                pass.WindowsDone++;
                pass.CappedDays += cappedDay;
                pass.CappedStudies += cappedStudies;
                pass.StudiesWithoutSeries += withoutSeries;
                try
                {
                    catalogue.CommitWindow(records, state);
                }
                catch
                {
                    // Not committed: the pass as last saved is the truth (the window is still pending).
                    failedCommit = true;
                    throw;
                }

                windowsThisRun++;
                seriesThisRun += records.Count;
                progress?.Report(new DimseSyncProgress(pass.WindowsDone, pass.Pending.Count, seenStudies.Count, seriesThisRun));
            }
        }
        catch (Exception e)
        {
            state.LastError = e is OperationCanceledException
                ? $"the {Describe(scope)} was interrupted after {pass.WindowsDone} date windows; it resumes there, and records from before are kept"
                : $"the {Describe(scope)} stopped after {pass.WindowsDone} date windows ({e.GetType().Name}: {e.Message}); it resumes there, and records from before are kept";
            // After a failed commit the in-memory pass is ahead of the file: only the error is saved,
            // onto the state as the file has it.
            var saved = failedCommit ? catalogue.GetSource(state.Id) ?? state : state;
            saved.LastError = state.LastError;
            catalogue.SaveSource(saved);
            throw;
        }

        return Complete(catalogue, state, scope, pass, resumed, windowsThisRun);
    }

    private static CrawlPass StartOrResume(SiteCatalogue catalogue, SourceState state, SyncScope scope, DateWindow? range)
    {
        var wanted = DateWindow.ToCrawlWindow(range);
        var pass = scope == SyncScope.Full ? state.FullPass : state.RecentPass;

        // A pass left unfinished over the same range resumes (one killed after its last window but
        // before its removals only completes); one over another range (other options, or the recent
        // days of another day) is abandoned for a new one.
        if (pass is not null && pass.From == wanted.From && pass.To is { } had && wanted.To is { } want && want > had)
        {
            // The same crawl on a later day (it crossed midnight, or resumes the next night): the
            // days since are one more window, the work done is kept.
            pass.Pending.Insert(0, new CrawlWindow { From = DateWindow.ToInt(DateWindow.FromInt(had).AddDays(1)), To = want });
            pass.To = want;
        }

        if (pass is null || pass.From != wanted.From || pass.To != wanted.To)
        {
            pass = new CrawlPass { Number = ++state.LastPassNumber, Started = DateTime.UtcNow, From = wanted.From, To = wanted.To, Pending = [wanted] };
            if (scope == SyncScope.Full)
            {
                state.FullPass = pass;
            }
            else
            {
                state.RecentPass = pass;
            }
        }

        state.LastSyncStarted = DateTime.UtcNow;
        catalogue.SaveSource(state);
        return pass;
    }

    private CrawlResult Complete(SiteCatalogue catalogue, SourceState state, SyncScope scope, CrawlPass pass, bool resumed, int windowsThisRun)
    {
        // A capped day or study means some series may not have been seen: nothing is removed then.
        // Only series of the dates crawled can be judged gone (undated ones are not crawled by date).
        var complete = pass.CappedDays == 0 && pass.CappedStudies == 0;
        var removed = complete ? catalogue.RemoveSeriesNotSeenSince(source, pass.Number, r => pass.InRange(r.StudyDate)) : 0;

        int seriesSeen = 0, instances = 0, seriesTotal = 0, instancesTotal = 0;
        var studiesSeen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in catalogue.SeriesOfSource(source))
        {
            seriesTotal++;
            instancesTotal += record.Instances;
            if (record.Pass >= pass.Number && pass.InRange(record.StudyDate))
            {
                seriesSeen++;
                instances += record.Instances;
                studiesSeen.Add(record.StudyInstanceUid);
            }
        }

        var now = DateTime.UtcNow;
        state.LastSuccessfulSync = now;
        state.SeriesIndexed = seriesTotal;
        state.InstancesIndexed = instancesTotal;
        state.ConsecutiveFailures = 0;
        if (scope == SyncScope.Full)
        {
            // Coverage is judged by the full crawl, the one that sees every date.
            state.StudiesSeen = studiesSeen.Count + pass.StudiesWithoutSeries;
            state.StudiesIndexed = studiesSeen.Count;
            state.LastFullSync = now;
            state.FullPass = null;
        }
        else
        {
            state.LastRecentSync = now;
            state.RecentPass = null;
        }

        state.LastError = complete ? null : $"{pass.CappedDays} day(s) and {pass.CappedStudies} study(ies) had more matches than the PACS answers; those were indexed in part and nothing was removed";
        catalogue.SaveSource(state);
        return new CrawlResult(pass.WindowsDone, windowsThisRun, pass.Splits, studiesSeen.Count + pass.StudiesWithoutSeries, seriesSeen, instances, removed, pass.CappedDays, pass.CappedStudies, resumed);
    }

    private static string Describe(SyncScope scope) => scope == SyncScope.Full ? "full sync" : "sync of the recent days";
}

/// <summary>What a crawl pass did; <see cref="Windows"/> counts the whole pass, <see cref="WindowsThisRun"/> those of this run (fewer when it resumed).</summary>
internal sealed record CrawlResult(int Windows, int WindowsThisRun, int Splits, int Studies, int Series, int Instances, int SeriesRemoved, int CappedDays, int CappedStudies, bool Resumed);
