using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using NodeAgent.Dicom.Values;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Scheduling;
using NodeAgent.Index.Sources.Internal;
using NodeAgent.Pseudonymisation.Keys;

namespace NodeAgent.Index.Sources;

/// <summary>
/// Indexes a PACS over DICOMweb: QIDO-RS at study level in pages (limit and offset) until a page
/// brings nothing new, then the series of each study. Studies without a date are found too (no date
/// filter unless asked). Each page's series are stored when the page is done; a sync that read every
/// page removes the series the PACS no longer has (a study shifted past the pages by an arrival during
/// the crawl leaves until the next sync brings it back).
/// </summary>
public sealed class DicomWebSource(string name, HttpClient http, Uri baseUrl, PseudonymGenerator pseudonyms, DicomWebSourceOptions? options = null) : IIndexSource
{
    private readonly DicomWebSourceOptions _options = options ?? new DicomWebSourceOptions();
    private readonly QueryPacer _pacer = new((options ?? new DicomWebSourceOptions()).MinQueryInterval);

    public string Name { get; } = name;

    /// <summary>Reads the PACS: everything (<see cref="SyncScope.Full"/>, which also removes what it no longer has) or the recent days only; an interrupted pass resumes.</summary>
    public async Task<DicomWebSyncResult> SyncAsync(SiteCatalogue catalogue, SyncScope scope = SyncScope.Full, IProgress<DimseSyncProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        var state = catalogue.GetSource(Name) ?? new SourceState { Id = Name };
        state.Kind = "dicomweb";
        state.Location = baseUrl.GetLeftPart(UriPartial.Path);

        var requests = 0;
        async Task<StudyAnswer> Studies(DateWindow? window, CancellationToken ct)
        {
            var found = new List<StudyFacts>();
            var uids = new HashSet<string>(StringComparer.Ordinal);
            // Pages overlap by a tenth: a study deleted in the PACS during the crawl shifts the
            // later ones back by one, and without the overlap the study at the page boundary would
            // be skipped, then removed from the catalogue as if deleted. Repeats are dropped by UID.
            var step = Math.Max(1, _options.PageSize - Math.Max(1, _options.PageSize / 10));
            for (var offset = 0; ; offset += step)
            {
                var page = await GetArrayAsync(StudiesUrl(offset, window), ct).ConfigureAwait(false);
                requests++;
                var before = found.Count;
                found.AddRange(page.Select(StudyFacts).OfType<StudyFacts>().Where(f => uids.Add(f.StudyUid)));

                // Paging ends on an empty page, not a short one (a PACS may cap below our limit
                // without saying so), or on a page with nothing new (a PACS ignoring offset).
                if (page.Count == 0 || found.Count == before)
                {
                    break;
                }
            }

            return new StudyAnswer(found, window is not null && _options.AnswerCap > 0 && found.Count >= _options.AnswerCap);
        }

        async Task<SeriesAnswer> Series(string studyUid, CancellationToken ct)
        {
            var found = await GetArrayAsync(SeriesUrl(studyUid), ct).ConfigureAwait(false);
            requests++;
            return new SeriesAnswer(found.Select(SeriesFacts).OfType<SeriesFacts>().ToList(), Capped: false);
        }

        // Without a known cap: one paged query for everything, undated studies included. With one:
        // study-date windows halved at the cap, as for DIMSE.
        // The recent days are always a dated query.
        DateWindow? range = _options.AnswerCap > 0 || scope == SyncScope.Recent ? SyncRange.Of(scope, _options.From, _options.To, _options.RecentDays) : null;
        var result = await new StudyDateCrawl(Name, pseudonyms).RunAsync(catalogue, state, scope, range, Studies, Series, progress, cancellationToken).ConfigureAwait(false);
        return new DicomWebSyncResult(requests, result.Windows, result.Splits, result.Studies, result.Series, result.Instances, result.SeriesRemoved, result.CappedDays, result.Resumed);
    }

    bool IIndexSource.HasRecentScope => true;

    async Task<string> IIndexSource.SyncAsync(SiteCatalogue catalogue, SyncScope scope, CancellationToken cancellationToken)
    {
        var r = await SyncAsync(catalogue, scope, null, cancellationToken).ConfigureAwait(false);
        return $"{r.Studies} studies, {r.Series} series, {r.Instances} instances{(r.Resumed ? " (resumed)" : "")}; {r.Requests} requests; {r.SeriesRemoved} series removed" +
            (r.CappedDays > 0 ? $"; incomplete: {r.CappedDays} day(s) capped by the PACS" : "");
    }

    private Uri StudiesUrl(int offset, DateWindow? window)
    {
        var query = $"studies?limit={_options.PageSize}&offset={offset}&includefield=00100020&includefield=00100021&includefield=00100040&includefield=00101010&includefield=00100030&includefield=00080020";
        if (window is { } w)
        {
            query += "&StudyDate=" + (w.From == w.To ? DicomDate.Format(w.From) : $"{DicomDate.Format(w.From)}-{DicomDate.Format(w.To)}");
        }

        return new Uri(Base(), query);
    }

    private Uri SeriesUrl(string studyUid) =>
        new(Base(), $"studies/{Uri.EscapeDataString(studyUid)}/series?includefield=00180015&includefield=00080070&includefield=00081090&includefield=00201209");

    private Uri Base() => baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");

    private async Task<List<JsonElement>> GetArrayAsync(Uri url, CancellationToken cancellationToken)
    {
        await _pacer.WaitAsync(cancellationToken).ConfigureAwait(false);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/dicom+json"));
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == System.Net.HttpStatusCode.NoContent)
        {
            return []; // QIDO-RS: no match
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"QIDO-RS {url.AbsolutePath} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
        }

        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (body.Length == 0)
        {
            return [];
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Array
                ? document.RootElement.EnumerateArray().Select(e => e.Clone()).ToList()
                : throw new InvalidDataException($"QIDO-RS {url.AbsolutePath} did not answer a JSON array.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"QIDO-RS {url.AbsolutePath} answered malformed JSON: {e.Message}", e);
        }
    }

    private static StudyFacts? StudyFacts(JsonElement study) =>
        Text(study, "0020000D") is { Length: > 0 } uid
            ? new StudyFacts(uid, Text(study, "00100020"), Text(study, "00100021"), Text(study, "00100040"), Text(study, "00101010"), Date(study, "00100030"), Date(study, "00080020"))
            : null;

    private static SeriesFacts? SeriesFacts(JsonElement series) =>
        Text(series, "0020000E") is { Length: > 0 } uid
            ? new SeriesFacts(uid, Text(series, "00080060"), Text(series, "00180015"), Text(series, "00080070"), Text(series, "00081090"),
                int.TryParse(Text(series, "00201209"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0)
            : null;

    private static DateOnly? Date(JsonElement dataset, string tag) => DicomDate.TryParse(Text(dataset, tag), out var date) ? date : null;

    /// <summary>The first value of an attribute in the DICOM JSON model (PS3.18 F.2), as text.</summary>
    private static string? Text(JsonElement dataset, string tag)
    {
        if (dataset.ValueKind != JsonValueKind.Object || !dataset.TryGetProperty(tag, out var attribute) || attribute.ValueKind != JsonValueKind.Object ||
            !attribute.TryGetProperty("Value", out var values) || values.ValueKind != JsonValueKind.Array || values.GetArrayLength() == 0)
        {
            return null;
        }

        var first = values[0];
        return first.ValueKind switch
        {
            JsonValueKind.String => first.GetString(),
            JsonValueKind.Number => first.GetRawText(),
            JsonValueKind.Object when first.TryGetProperty("Alphabetic", out var name) => name.GetString(),
            _ => null,
        };
    }
}

/// <summary>How a DICOMweb sync reads: page size, and the PACS's answer cap (then by study-date windows).</summary>
public sealed record DicomWebSourceOptions
{
    public int PageSize { get; init; } = 100;

    /// <summary>
    /// The most studies the PACS returns for one query, paging included (Orthanc's LimitFindResults).
    /// When set, the PACS is read by study-date windows halved at the cap (undated studies are then not
    /// reached); when 0, by one query for everything.
    /// </summary>
    public int AnswerCap { get; init; }

    public DateOnly From { get; init; } = new(1980, 1, 1);

    /// <summary>Today when null.</summary>
    public DateOnly? To { get; init; }

    /// <summary>How many days back (today included) a <see cref="SyncScope.Recent"/> sync reads.</summary>
    public int RecentDays { get; init; } = 7;

    /// <summary>The least time between the starts of two requests (1 / the most requests per second).</summary>
    public TimeSpan MinQueryInterval { get; init; } = TimeSpan.Zero;
}

public sealed record DicomWebSyncResult(int Requests, int Windows, int Splits, int Studies, int Series, int Instances, int SeriesRemoved, int CappedDays, bool Resumed);
