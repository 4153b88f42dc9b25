using System.Globalization;
using NodeAgent.Dicom;
using NodeAgent.Dicom.Network.Client;
using NodeAgent.Dicom.Network.Query;
using NodeAgent.Dicom.Values;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Sources.Internal;
using NodeAgent.Pseudonymisation.Keys;

namespace NodeAgent.Index.Sources;

/// <summary>
/// Indexes a PACS over DIMSE: C-FIND at study level by study-date windows that are halved whenever the
/// PACS caps its answers (many stop at 500 or 1,000; Orthanc at <c>LimitFindResults</c>), then at
/// series level per study, all on one association. Each window's series are stored as soon as the
/// window is done, so an interrupted sync keeps its work; a sync that saw every window removes the
/// series the PACS no longer has (reconciliation). One query at a time, with a pause between queries
/// if asked: the clinical PACS comes first.
/// </summary>
public sealed class DimseSource(string name, DicomClient client, PseudonymGenerator pseudonyms, DimseSourceOptions? options = null)
{
    private readonly DimseSourceOptions _options = options ?? new DimseSourceOptions();

    public string Name { get; } = name;

    public async Task<DimseSyncResult> SyncAsync(SiteCatalogue catalogue, IProgress<DimseSyncProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        var state = catalogue.GetSource(Name) ?? new SourceState { Id = Name };
        state.Kind = "dimse";
        state.Location = client.Options.Describe();
        state.LastSyncStarted = DateTime.UtcNow;
        catalogue.SaveSource(state);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var windows = new Stack<(DateOnly From, DateOnly To)>();
        var crawled = (From: _options.From, To: _options.To ?? DateOnly.FromDateTime(DateTime.UtcNow));
        windows.Push(crawled);
        int queries = 0, windowsDone = 0, splits = 0, studies = 0, cappedDays = 0, cappedStudies = 0, instances = 0;
        try
        {
            await using var session = await client.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
            while (windows.Count > 0)
            {
                var (from, to) = windows.Pop();
                var summary = new DicomFindSummary();
                var found = await FindAsync(session, StudyQuery(from, to), summary, cancellationToken).ConfigureAwait(false);
                queries++;
                if (summary.IsTruncated || (_options.AnswerCap > 0 && found.Count >= _options.AnswerCap))
                {
                    if (from < to)
                    {
                        // Capped: the window is halved and both halves asked again, newest first.
                        var middle = DateOnly.FromDayNumber(from.DayNumber + ((to.DayNumber - from.DayNumber) / 2));
                        windows.Push((from, middle));
                        windows.Push((middle.AddDays(1), to));
                        splits++;
                        continue;
                    }

                    cappedDays++; // one day holds more studies than the PACS answers: what it gave is indexed
                }

                var records = new List<SeriesRecord>();
                foreach (var study in found)
                {
                    var studyUid = study.GetString(DicomTags.StudyInstanceUID)?.Trim();
                    if (string.IsNullOrEmpty(studyUid))
                    {
                        continue;
                    }

                    var seriesSummary = new DicomFindSummary();
                    var series = await FindAsync(session, SeriesQuery(studyUid), seriesSummary, cancellationToken).ConfigureAwait(false);
                    queries++;
                    cappedStudies += seriesSummary.IsTruncated ? 1 : 0;
                    studies++;
                    foreach (var item in series)
                    {
                        if (ToRecord(study, item, studyUid) is { } record)
                        {
                            records.Add(record);
                            seen.Add(record.SeriesInstanceUid);
                            instances += record.Instances;
                        }
                    }
                }

                if (records.Count > 0)
                {
                    catalogue.Upsert(records);
                }

                windowsDone++;
                progress?.Report(new DimseSyncProgress(windowsDone, windows.Count, studies, seen.Count));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            state.LastError = $"the sync stopped ({e.GetType().Name}: {e.Message}); records from before and from the windows done are kept";
            catalogue.SaveSource(state);
            throw;
        }
        catch (OperationCanceledException)
        {
            state.LastError = "the sync was interrupted; records from before and from the windows done are kept";
            catalogue.SaveSource(state);
            throw;
        }

        // Every window was answered: series the PACS no longer has go. A capped day or study means
        // some series may not have been seen, so nothing is removed then.
        var complete = cappedDays == 0 && cappedStudies == 0;
        // Only series of the dates crawled can be judged gone (and undated ones are never crawled by date).
        var removed = complete ? catalogue.RemoveSeries(Name, seen, r => InRange(r.StudyDate, crawled.From, crawled.To)) : 0;
        state.LastSuccessfulSync = DateTime.UtcNow;
        state.SeriesIndexed = seen.Count;
        state.InstancesIndexed = instances;
        state.LastError = complete ? null : $"{cappedDays} day(s) and {cappedStudies} study(ies) had more matches than the PACS answers; those were indexed in part and nothing was removed";
        catalogue.SaveSource(state);
        return new DimseSyncResult(queries, windowsDone, splits, studies, seen.Count, instances, removed, cappedDays, cappedStudies);
    }

    internal static bool InRange(int? studyDate, DateOnly from, DateOnly to) =>
        studyDate is { } d && d >= (from.Year * 10000) + (from.Month * 100) + from.Day && d <= (to.Year * 10000) + (to.Month * 100) + to.Day;

    private async Task<List<DicomDataset>> FindAsync(DicomClientSession session, DicomQuery query, DicomFindSummary summary, CancellationToken cancellationToken)
    {
        if (_options.PauseBetweenQueries > TimeSpan.Zero)
        {
            await Task.Delay(_options.PauseBetweenQueries, cancellationToken).ConfigureAwait(false);
        }

        var results = new List<DicomDataset>();
        await foreach (var match in session.FindAsync(query, summary, cancellationToken).ConfigureAwait(false))
        {
            results.Add(match);
        }

        return results;
    }

    private static DicomQuery StudyQuery(DateOnly from, DateOnly to) =>
        DicomQuery.Create(DicomQueryLevel.Study)
            .Match(DicomTags.StudyDate, from == to ? DicomDate.Format(from) : $"{DicomDate.Format(from)}-{DicomDate.Format(to)}")
            .Return(DicomTags.StudyInstanceUID).Return(DicomTags.PatientID).Return(DicomTags.IssuerOfPatientID)
            .Return(DicomTags.PatientSex).Return(DicomTags.PatientAge).Return(DicomTags.PatientBirthDate);

    private static DicomQuery SeriesQuery(string studyUid) =>
        DicomQuery.Create(DicomQueryLevel.Series)
            .Match(DicomTags.StudyInstanceUID, studyUid)
            .Return(DicomTags.SeriesInstanceUID).Return(DicomTags.Modality).Return(DicomTags.BodyPartExamined)
            .Return(DicomTags.Manufacturer).Return(DicomTags.ManufacturerModelName).Return(DicomTags.NumberOfSeriesRelatedInstances);

    private SeriesRecord? ToRecord(DicomDataset study, DicomDataset series, string studyUid)
    {
        var seriesUid = series.GetString(DicomTags.SeriesInstanceUID)?.Trim();
        if (string.IsNullOrEmpty(seriesUid))
        {
            return null;
        }

        var facts = new StudyFacts(
            studyUid,
            study.GetString(DicomTags.PatientID),
            study.GetString(DicomTags.IssuerOfPatientID),
            study.GetString(DicomTags.PatientSex),
            study.GetString(DicomTags.PatientAge),
            study.GetDate(DicomTags.PatientBirthDate),
            study.GetDate(DicomTags.StudyDate));
        var instances = int.TryParse(series.GetString(DicomTags.NumberOfSeriesRelatedInstances)?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
        return SeriesRecordFactory.Create(
            Name,
            facts,
            new SeriesFacts(seriesUid, series.GetString(DicomTags.Modality), series.GetString(DicomTags.BodyPartExamined), series.GetString(DicomTags.Manufacturer), series.GetString(DicomTags.ManufacturerModelName), instances),
            pseudonyms);
    }
}
/// <summary>How a DIMSE sync crawls: the date range, the PACS's answer cap if it caps silently, and politeness.</summary>
public sealed record DimseSourceOptions
{
    /// <summary>The earliest study date asked for.</summary>
    public DateOnly From { get; init; } = new(1980, 1, 1);

    /// <summary>The latest study date asked for; today when null.</summary>
    public DateOnly? To { get; init; }

    /// <summary>
    /// A PACS that stops at N answers without saying so: a window with this many answers is halved.
    /// 0 when the PACS reports the cap (a non-success final status, as Orthanc and DCMTK do).
    /// </summary>
    public int AnswerCap { get; init; }

    /// <summary>A pause before each query, to keep the load on a clinical PACS low.</summary>
    public TimeSpan PauseBetweenQueries { get; init; } = TimeSpan.Zero;
}

public readonly record struct DimseSyncProgress(int WindowsDone, int WindowsPending, int Studies, int Series);

public sealed record DimseSyncResult(int Queries, int Windows, int Splits, int Studies, int Series, int Instances, int SeriesRemoved, int CappedDays, int CappedStudies);
