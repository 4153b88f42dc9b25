using NodeAgent.Index.Catalogue;
using NodeAgent.Pseudonymisation.Keys;

namespace NodeAgent.Index.Sources.Internal;

/// <summary>A range of study dates; null stands for "every study, dated or not".</summary>
internal readonly record struct DateWindow(DateOnly From, DateOnly To)
{
    public bool Contains(int? studyDate) =>
        studyDate is { } d && d >= (From.Year * 10000) + (From.Month * 100) + From.Day && d <= (To.Year * 10000) + (To.Month * 100) + To.Day;
}

/// <summary>The studies a PACS gave for a window, and whether it stopped short (capped).</summary>
internal readonly record struct StudyAnswer(IReadOnlyList<StudyFacts> Studies, bool Capped);

/// <summary>The series a PACS gave for a study, and whether it stopped short.</summary>
internal readonly record struct SeriesAnswer(IReadOnlyList<SeriesFacts> Series, bool Capped);

/// <summary>
/// The crawl both PACS sources share, whatever the protocol: study-date windows halved whenever the
/// PACS caps its answers, the series of each study, each window's records stored as soon as it is
/// done (an interrupted sync keeps its work), and after a complete sync the removal of the series the
/// PACS no longer has, among the dates crawled only.
/// </summary>
internal sealed class StudyDateCrawl(string source, PseudonymGenerator pseudonyms)
{
    public async Task<CrawlResult> RunAsync(
        SiteCatalogue catalogue,
        SourceState state,
        DateWindow? range,
        Func<DateWindow?, CancellationToken, Task<StudyAnswer>> studies,
        Func<string, CancellationToken, Task<SeriesAnswer>> series,
        IProgress<DimseSyncProgress>? progress,
        CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var seenStudies = new HashSet<string>(StringComparer.Ordinal);
        var indexedStudies = new HashSet<string>(StringComparer.Ordinal);
        var windows = new Stack<DateWindow?>();
        windows.Push(range);
        int windowsDone = 0, splits = 0, instances = 0, cappedDays = 0, cappedStudies = 0;
        try
        {
            while (windows.Count > 0)
            {
                var window = windows.Pop();
                var answer = await studies(window, cancellationToken).ConfigureAwait(false);
                if (answer.Capped && window is { } w)
                {
                    if (w.From < w.To)
                    {
                        // Capped: the window is halved and both halves asked again, newest first.
                        var middle = DateOnly.FromDayNumber(w.From.DayNumber + ((w.To.DayNumber - w.From.DayNumber) / 2));
                        windows.Push(new DateWindow(w.From, middle));
                        windows.Push(new DateWindow(middle.AddDays(1), w.To));
                        splits++;
                        continue;
                    }

                    cappedDays++; // one day holds more studies than the PACS answers: what it gave is indexed
                }

                var records = new List<SeriesRecord>();
                foreach (var study in answer.Studies)
                {
                    if (!seenStudies.Add(study.StudyUid))
                    {
                        continue; // met again (a page shifted by an arrival): counted once
                    }

                    var seriesAnswer = await series(study.StudyUid, cancellationToken).ConfigureAwait(false);
                    cappedStudies += seriesAnswer.Capped ? 1 : 0;
                    foreach (var facts in seriesAnswer.Series)
                    {
                        var record = SeriesRecordFactory.Create(source, study, facts, pseudonyms);
                        records.Add(record);
                        seen.Add(record.SeriesInstanceUid);
                        indexedStudies.Add(study.StudyUid);
                        instances += record.Instances;
                    }
                }

                if (records.Count > 0)
                {
                    catalogue.Upsert(records);
                }

                windowsDone++;
                progress?.Report(new DimseSyncProgress(windowsDone, windows.Count, seenStudies.Count, seen.Count));
            }
        }
        catch (Exception e)
        {
            state.LastError = e is OperationCanceledException
                ? "the sync was interrupted; records from before and from the windows done are kept"
                : $"the sync stopped ({e.GetType().Name}: {e.Message}); records from before and from the windows done are kept";
            catalogue.SaveSource(state);
            throw;
        }

        // A capped day or study means some series may not have been seen: nothing is removed then.
        // Only series of the dates crawled can be judged gone (undated ones are not crawled by date).
        var complete = cappedDays == 0 && cappedStudies == 0;
        var removed = complete ? catalogue.RemoveSeries(source, seen, range is { } r ? record => r.Contains(record.StudyDate) : null) : 0;
        state.LastSuccessfulSync = DateTime.UtcNow;
        state.SeriesIndexed = seen.Count;
        state.InstancesIndexed = instances;
        state.StudiesSeen = seenStudies.Count;
        state.StudiesIndexed = indexedStudies.Count;
        state.LastError = complete ? null : $"{cappedDays} day(s) and {cappedStudies} study(ies) had more matches than the PACS answers; those were indexed in part and nothing was removed";
        catalogue.SaveSource(state);
        return new CrawlResult(windowsDone, splits, seenStudies.Count, seen.Count, instances, removed, cappedDays, cappedStudies);
    }
}

internal sealed record CrawlResult(int Windows, int Splits, int Studies, int Series, int Instances, int SeriesRemoved, int CappedDays, int CappedStudies);
