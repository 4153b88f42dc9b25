using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using NodeAgent.Dicom.Values;
using NodeAgent.Index.Catalogue;
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
public sealed class DicomWebSource(string name, HttpClient http, Uri baseUrl, PseudonymGenerator pseudonyms, DicomWebSourceOptions? options = null)
{
    private readonly DicomWebSourceOptions _options = options ?? new DicomWebSourceOptions();

    public string Name { get; } = name;

    public async Task<DicomWebSyncResult> SyncAsync(SiteCatalogue catalogue, IProgress<DimseSyncProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        var state = catalogue.GetSource(Name) ?? new SourceState { Id = Name };
        state.Kind = "dicomweb";
        state.Location = baseUrl.GetLeftPart(UriPartial.Path);
        state.LastSyncStarted = DateTime.UtcNow;
        catalogue.SaveSource(state);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var seenStudies = new HashSet<string>(StringComparer.Ordinal);
        int requests = 0, pages = 0, instances = 0, splits = 0, cappedDays = 0;

        // Without a known cap: one unbounded query (undated studies included). With one: study-date
        // windows, halved when a window reaches the cap, as for DIMSE.
        var windows = new Stack<(DateOnly From, DateOnly To)?>();
        windows.Push(_options.AnswerCap > 0 ? (_options.From, _options.To ?? DateOnly.FromDateTime(DateTime.UtcNow)) : null);
        try
        {
            while (windows.Count > 0)
            {
                var window = windows.Pop();
                var inWindow = new List<StudyFacts>();
                var uidsInWindow = new HashSet<string>(StringComparer.Ordinal);
                for (var offset = 0; ; offset += _options.PageSize)
                {
                    var page = await GetArrayAsync(StudiesUrl(offset, window), cancellationToken).ConfigureAwait(false);
                    requests++;
                    var before = inWindow.Count;
                    inWindow.AddRange(page.Select(StudyFacts).OfType<StudyFacts>().Where(f => uidsInWindow.Add(f.StudyUid)));

                    // Paging ends on an empty page, not a short one (a PACS may cap below our limit
                    // without saying so), or on a page with nothing new (a PACS ignoring offset).
                    if (page.Count == 0 || inWindow.Count == before)
                    {
                        break;
                    }
                }

                if (window is { } w && inWindow.Count >= _options.AnswerCap)
                {
                    if (w.From < w.To)
                    {
                        var middle = DateOnly.FromDayNumber(w.From.DayNumber + ((w.To.DayNumber - w.From.DayNumber) / 2));
                        windows.Push((w.From, middle));
                        windows.Push((middle.AddDays(1), w.To));
                        splits++;
                        continue;
                    }

                    cappedDays++;
                }

                var records = new List<SeriesRecord>();
                foreach (var facts in inWindow)
                {
                    if (!seenStudies.Add(facts.StudyUid))
                    {
                        continue;
                    }

                    var series = await GetArrayAsync(SeriesUrl(facts.StudyUid), cancellationToken).ConfigureAwait(false);
                    requests++;
                    foreach (var item in series)
                    {
                        if (SeriesFacts(item) is { } seriesFacts)
                        {
                            var record = SeriesRecordFactory.Create(Name, facts, seriesFacts, pseudonyms);
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

                pages++;
                progress?.Report(new DimseSyncProgress(pages, windows.Count, seenStudies.Count, seen.Count));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            state.LastError = $"the sync stopped ({e.GetType().Name}: {e.Message}); records from before and from the pages done are kept";
            catalogue.SaveSource(state);
            throw;
        }
        catch (OperationCanceledException)
        {
            state.LastError = "the sync was interrupted; records from before and from the pages done are kept";
            catalogue.SaveSource(state);
            throw;
        }

        var to = _options.To ?? DateOnly.FromDateTime(DateTime.UtcNow);
        var removed = cappedDays == 0 ? catalogue.RemoveSeries(Name, seen, _options.AnswerCap > 0 ? r => DimseSource.InRange(r.StudyDate, _options.From, to) : null) : 0;
        state.LastSuccessfulSync = DateTime.UtcNow;
        state.SeriesIndexed = seen.Count;
        state.InstancesIndexed = instances;
        state.LastError = cappedDays == 0 ? null : $"{cappedDays} day(s) had more studies than the PACS answers; those were indexed in part and nothing was removed";
        catalogue.SaveSource(state);
        return new DicomWebSyncResult(requests, pages, splits, seenStudies.Count, seen.Count, instances, removed, cappedDays);
    }

    private Uri StudiesUrl(int offset, (DateOnly From, DateOnly To)? window)
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
}

public sealed record DicomWebSyncResult(int Requests, int Windows, int Splits, int Studies, int Series, int Instances, int SeriesRemoved, int CappedDays);
