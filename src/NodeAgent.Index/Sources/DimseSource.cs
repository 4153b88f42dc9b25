using System.Globalization;
using NodeAgent.Dicom;
using NodeAgent.Dicom.Network.Client;
using NodeAgent.Dicom.Network.Query;
using NodeAgent.Dicom.Values;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Scheduling;
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
public sealed class DimseSource(string name, DicomClient client, PseudonymGenerator pseudonyms, DimseSourceOptions? options = null) : IIndexSource
{
    private readonly DimseSourceOptions _options = options ?? new DimseSourceOptions();
    private readonly QueryPacer _pacer = new((options ?? new DimseSourceOptions()).MinQueryInterval);

    public string Name { get; } = name;

    /// <summary>
    /// Crawls the PACS: every date of the range (<see cref="SyncScope.Full"/>, which also removes what
    /// the PACS no longer has) or the recent days only. A pass interrupted before (killed, cancelled,
    /// the PACS gone) resumes at the window it stopped in.
    /// </summary>
    public async Task<DimseSyncResult> SyncAsync(SiteCatalogue catalogue, SyncScope scope = SyncScope.Full, IProgress<DimseSyncProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        var state = catalogue.GetSource(Name) ?? new SourceState { Id = Name };
        state.Kind = "dimse";
        state.Location = client.Options.Describe();

        var queries = 0;
        DicomClientSession session;
        try
        {
            session = await client.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The PACS is down or refuses us: the catalogue keeps answering from what it has, and says so.
            state.LastError = $"the PACS could not be reached ({e.GetType().Name}: {e.Message})";
            catalogue.SaveSource(state);
            throw;
        }

        await using var _ = session;
        async Task<StudyAnswer> Studies(DateWindow? window, CancellationToken ct)
        {
            var summary = new DicomFindSummary();
            var found = await FindAsync(session, StudyQuery(window!.Value), summary, ct).ConfigureAwait(false);
            queries++;
            var capped = summary.IsTruncated || (_options.AnswerCap > 0 && found.Count >= _options.AnswerCap);
            return new StudyAnswer(found.Select(StudyFacts).OfType<StudyFacts>().ToList(), capped);
        }

        async Task<SeriesAnswer> Series(string studyUid, CancellationToken ct)
        {
            var summary = new DicomFindSummary();
            var found = await FindAsync(session, SeriesQuery(studyUid), summary, ct).ConfigureAwait(false);
            queries++;
            return new SeriesAnswer(found.Select(SeriesFacts).OfType<SeriesFacts>().ToList(), summary.IsTruncated);
        }

        var range = SyncRange.Of(scope, _options.From, _options.To, _options.RecentDays);
        var result = await new StudyDateCrawl(Name, pseudonyms).RunAsync(catalogue, state, scope, range, Studies, Series, progress, cancellationToken).ConfigureAwait(false);
        return new DimseSyncResult(queries, result.Windows, result.Splits, result.Studies, result.Series, result.Instances, result.SeriesRemoved, result.CappedDays, result.CappedStudies, result.Resumed);
    }

    bool IIndexSource.HasRecentScope => true;

    async Task<string> IIndexSource.SyncAsync(SiteCatalogue catalogue, SyncScope scope, CancellationToken cancellationToken)
    {
        var r = await SyncAsync(catalogue, scope, null, cancellationToken).ConfigureAwait(false);
        return $"{r.Studies} studies, {r.Series} series, {r.Instances} instances in {r.Windows} date windows{(r.Resumed ? " (resumed)" : "")}; {r.Queries} queries; {r.SeriesRemoved} series removed" +
            (r.CappedDays + r.CappedStudies > 0 ? $"; incomplete: {r.CappedDays} day(s), {r.CappedStudies} study(ies) capped by the PACS" : "");
    }

    private async Task<List<DicomDataset>> FindAsync(DicomClientSession session, DicomQuery query, DicomFindSummary summary, CancellationToken cancellationToken)
    {
        if (_options.PauseBetweenQueries > TimeSpan.Zero)
        {
            await Task.Delay(_options.PauseBetweenQueries, cancellationToken).ConfigureAwait(false);
        }

        await _pacer.WaitAsync(cancellationToken).ConfigureAwait(false);

        var results = new List<DicomDataset>();
        await foreach (var match in session.FindAsync(query, summary, cancellationToken).ConfigureAwait(false))
        {
            results.Add(match);
        }

        return results;
    }

    internal static DicomQuery StudyQuery(DateWindow window) =>
        DicomQuery.Create(DicomQueryLevel.Study)
            .Match(DicomTags.StudyDate, window.From == window.To ? DicomDate.Format(window.From) : $"{DicomDate.Format(window.From)}-{DicomDate.Format(window.To)}")
            .Return(DicomTags.StudyInstanceUID).Return(DicomTags.PatientID).Return(DicomTags.IssuerOfPatientID)
            .Return(DicomTags.PatientSex).Return(DicomTags.PatientAge).Return(DicomTags.PatientBirthDate);

    internal static DicomQuery SeriesQuery(string studyUid) =>
        DicomQuery.Create(DicomQueryLevel.Series)
            .Match(DicomTags.StudyInstanceUID, studyUid)
            .Return(DicomTags.SeriesInstanceUID).Return(DicomTags.Modality).Return(DicomTags.BodyPartExamined)
            .Return(DicomTags.Manufacturer).Return(DicomTags.ManufacturerModelName).Return(DicomTags.NumberOfSeriesRelatedInstances);

    private static StudyFacts? StudyFacts(DicomDataset study) =>
        study.GetString(DicomTags.StudyInstanceUID)?.Trim() is { Length: > 0 } uid
            ? new StudyFacts(uid, study.GetString(DicomTags.PatientID), study.GetString(DicomTags.IssuerOfPatientID), study.GetString(DicomTags.PatientSex),
                study.GetString(DicomTags.PatientAge), study.GetDate(DicomTags.PatientBirthDate), study.GetDate(DicomTags.StudyDate))
            : null;

    private static SeriesFacts? SeriesFacts(DicomDataset series) =>
        series.GetString(DicomTags.SeriesInstanceUID)?.Trim() is { Length: > 0 } uid
            ? new SeriesFacts(uid, series.GetString(DicomTags.Modality), series.GetString(DicomTags.BodyPartExamined), series.GetString(DicomTags.Manufacturer),
                series.GetString(DicomTags.ManufacturerModelName),
                int.TryParse(series.GetString(DicomTags.NumberOfSeriesRelatedInstances)?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0)
            : null;
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

    /// <summary>How many days back (today included) a <see cref="SyncScope.Recent"/> sync crawls.</summary>
    public int RecentDays { get; init; } = 7;

    /// <summary>The least time between the starts of two queries (1 / the most queries per second).</summary>
    public TimeSpan MinQueryInterval { get; init; } = TimeSpan.Zero;
}

public readonly record struct DimseSyncProgress(int WindowsDone, int WindowsPending, int Studies, int Series);

/// <summary>What a sync did; the counts are the pass's (all of it when it resumed one), <see cref="Queries"/> this run's.</summary>
public sealed record DimseSyncResult(int Queries, int Windows, int Splits, int Studies, int Series, int Instances, int SeriesRemoved, int CappedDays, int CappedStudies, bool Resumed);
