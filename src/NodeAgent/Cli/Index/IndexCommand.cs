using System.CommandLine;
using System.Globalization;
using NodeAgent.Cli.Internal;
using NodeAgent.Cli.Pacs;
using NodeAgent.Cli.Run;
using NodeAgent.Dicom.Network.Client;
using NodeAgent.Dicom.Values;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Scheduling;
using NodeAgent.Index.Sources;
using NodeAgent.Pseudonymisation.Keys;

namespace NodeAgent.Cli.Index;

/// <summary>
/// <c>nodeagent index --source folder:/PATH | dimse://AET@HOST:PORT --db FILE</c>: a one-off sync of a
/// source into the catalogue, with a progress line. Folders are read header-only; a PACS is crawled
/// with C-FIND by study-date windows that split when it caps its answers.
/// </summary>
internal static class IndexCommand
{
    public static Command Build(TextWriter output, TextWriter error)
    {
        var source = new Option<string>("--source") { Description = "What to index: folder:/PATH (DICOM files, DICOMDIR trees, storage folders), dimse://AET@HOST:PORT (a PACS, by C-FIND), dicomweb+http://HOST:PORT/PATH (a PACS, by QIDO-RS), or the name of a source in the configuration.", Required = true };
        var db = new Option<string?>("--db") { Description = "The catalogue file (LiteDB); created if missing. For a configured source, the configuration's catalogue by default." };
        var config = new Option<string?>("--config") { Description = "For a configured source: the site configuration file (as for nodeagent run)." };
        var name = new Option<string?>("--name") { Description = "The source's name in the catalogue (default: from its location)." };
        var secret = new Option<string?>("--secret") { Description = "The site secret (32+ random bytes, mode 600) that keys patient pseudonyms. Without it, a development secret beside the catalogue is used, with a warning." };
        var callingAe = new Option<string>("--calling-ae") { Description = "Our AE title towards a PACS.", DefaultValueFactory = _ => "NODEAGENT" };
        var studyDate = new Option<string?>("--study-date") { Description = "For a PACS: the study dates to crawl (DIMSE default 19800101 to today; DICOMweb default all, undated too), as 20180101-20201231 or 2018-01-01..2020-12-31." };
        var answerCap = new Option<int>("--answer-cap") { Description = "The most answers the PACS gives one query (its configured limit): date windows with that many are halved. DIMSE: 0 (default) trusts the PACS to report its cap; DICOMweb: 0 reads everything in one paged query." };
        var pause = new Option<int>("--pause-ms") { Description = "For a PACS: a pause before each query, in milliseconds, to keep the load low." };
        var full = new Option<bool>("--full") { Description = "For a PACS: crawl every date and remove what the PACS no longer has. Without it, a source with a full sync behind it is crawled for its recent days only (--recent-days), and an interrupted sync resumes." };
        var recentDays = new Option<int>("--recent-days") { Description = "For a PACS: the days (today included) an incremental sync crawls.", DefaultValueFactory = _ => 7 };
        var command = new Command("index", "Index a source into the site catalogue.") { source, db, config, name, secret, callingAe, studyDate, answerCap, pause, full, recentDays };
        command.SetAction((parse, ct) => CliFailure.RunAsync("index", error, () => IsConfiguredName(parse.GetValue(source)!)
            ? RunConfiguredAsync(parse.GetValue(source)!, parse.GetValue(config), parse.GetValue(db), parse.GetValue(secret), parse.GetValue(full), output, error, ct)
            : parse.GetValue(db) is null ? Missing(error) : RunAsync(
            parse.GetValue(source)!, parse.GetValue(db)!, parse.GetValue(name), parse.GetValue(secret),
            new DimseArguments(parse.GetValue(callingAe)!, parse.GetValue(studyDate), parse.GetValue(answerCap), parse.GetValue(pause), parse.GetValue(full), parse.GetValue(recentDays)),
            output, error, ct)));
        return command;
    }

    // A configured source's name has no scheme: folder:, dimse://, dicomweb+http(s)://.
    private static bool IsConfiguredName(string source) => !source.Contains(':', StringComparison.Ordinal);

    private static Task<int> Missing(TextWriter error)
    {
        error.WriteLine("nodeagent index: --db is required with a folder:, dimse:// or dicomweb+http:// source (a configured source uses the configuration's catalogue).");
        return Task.FromResult(1);
    }

    /// <summary>A sync of a source from the configuration, as the service would run it, once and now.</summary>
    private static async Task<int> RunConfiguredAsync(string name, string? configPath, string? dbPath, string? secretPath, bool full, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (ServiceSetup.Prepare(configPath, "index", error, dbPath, secretPath) is not { } setup)
        {
            return RunCommand.ConfigurationExitCode;
        }

        using var catalogue = setup.Catalogue;
        var configured = setup.Configuration.Sources.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
        if (configured is null)
        {
            var known = setup.Configuration.Sources.Select(s => s.Name).ToList();
            error.WriteLine($"nodeagent index: no enabled source '{name}' in the configuration ({(known.Count == 0 ? "it has none" : "it has " + string.Join(", ", known))}); or give folder:/PATH, dimse://AET@HOST:PORT or dicomweb+http://HOST:PORT/PATH.");
            return 1;
        }

        using var registry = new DicomPeerRegistry();
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        var source = NodeAgent.Service.Internal.ConfiguredSources.Create(configured, new PseudonymGenerator(setup.Secret), registry, http);
        var scope = source.HasRecentScope ? SyncScopes.Next(catalogue.GetSource(source.Name), full) : SyncScope.Full;
        error.WriteLine($"nodeagent index: {source.Name}: {(scope == SyncScope.Full ? "full sync" : "recent days")}...");
        var summary = await source.SyncAsync(catalogue, scope, cancellationToken).ConfigureAwait(false);
        output.WriteLine($"index: {source.Name}: {summary}. Catalogue {catalogue.Path}: {catalogue.SeriesCount} series.");
        return 0;
    }

    private static async Task<int> RunAsync(string sourceText, string dbPath, string? name, string? secretPath, DimseArguments dimse, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var isFolder = sourceText.StartsWith("folder:", StringComparison.OrdinalIgnoreCase);
        var isDimse = sourceText.StartsWith("dimse://", StringComparison.OrdinalIgnoreCase);
        var isWeb = sourceText.StartsWith("dicomweb+http://", StringComparison.OrdinalIgnoreCase) || sourceText.StartsWith("dicomweb+https://", StringComparison.OrdinalIgnoreCase);
        if (!isFolder && !isDimse && !isWeb)
        {
            var scheme = sourceText.Split(':')[0];
            error.WriteLine($"nodeagent index: source kind '{scheme}' is not known; use folder:/PATH, dimse://AET@HOST:PORT or dicomweb+http://HOST:PORT/PATH.");
            return 1;
        }

        Uri? webUrl = null;
        if (isWeb && !Uri.TryCreate(sourceText["dicomweb+".Length..], UriKind.Absolute, out webUrl))
        {
            error.WriteLine($"nodeagent index: '{sourceText}' is not a DICOMweb URL: use dicomweb+http://HOST:PORT/PATH, as dicomweb+http://pacs:8042/dicom-web.");
            return 1;
        }

        if (isFolder && !Directory.Exists(sourceText["folder:".Length..]))
        {
            error.WriteLine($"nodeagent index: the folder {sourceText["folder:".Length..]} does not exist.");
            return 1;
        }

        // The source is checked before anything (a catalogue, a development secret) is created.
        var pacs = isDimse ? ParseDimse(sourceText) : default;
        var (from, to) = DateRange(dimse.StudyDate);
        var secret = SiteSecretArgument.Load(secretPath, Path.GetDirectoryName(Path.GetFullPath(dbPath))!, "index", "Patients are keyed differently from the site's catalogue: give the site secret with --secret for a real one.", error);
        using var catalogue = SiteCatalogue.Open(dbPath);
        var line = new ProgressLine(error);
        string summary;
        if (isFolder)
        {
            var folder = sourceText["folder:".Length..];
            var source = new FolderSource(name ?? "folder:" + Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)), folder, new PseudonymGenerator(secret));
            var result = source.Sync(
                catalogue,
                new SynchronousProgress<(int Scanned, int Total)>(p => line.Report($"{p.Scanned}/{p.Total} files", force: p.Scanned == p.Total)),
                cancellationToken: cancellationToken);
            summary = $"{source.Name}: {result.Files} files, {result.Series} series, {result.Instances} instances indexed; {result.Unreadable} unreadable, {result.NotInstances} not instances, {result.SeriesRemoved} series removed{(result.PruningSkipped ? " (series missing from the folder kept: the scan was not complete)" : "")}";
        }
        else if (webUrl is not null)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
            var source = new DicomWebSource(name ?? "dicomweb:" + webUrl.GetLeftPart(UriPartial.Path).TrimEnd('/'), http, webUrl, new PseudonymGenerator(secret), new DicomWebSourceOptions
            {
                AnswerCap = dimse.AnswerCap,
                From = from,
                To = to,
                RecentDays = dimse.RecentDays,
            });
            var scope = SyncScopes.Next(catalogue.GetSource(source.Name), dimse.Full);
            var result = await source.SyncAsync(
                catalogue,
                scope,
                new SynchronousProgress<DimseSyncProgress>(p => line.Report($"{p.WindowsDone} windows done, {p.WindowsPending} pending; {p.Studies} studies, {p.Series} series")),
                cancellationToken).ConfigureAwait(false);
            summary = $"{source.Name}: {Describe(scope, result.Resumed)}{result.Studies} studies, {result.Series} series, {result.Instances} instances indexed ({result.Requests} requests, {result.Splits} date windows split at the cap); {result.SeriesRemoved} series removed" +
                (result.CappedDays > 0 ? $"; incomplete: {result.CappedDays} day(s) had more studies than the PACS answers, so nothing was removed" : "");
        }
        else
        {
            var (ae, host, port) = pacs;
            using var registry = new DicomPeerRegistry();
            var client = new DicomClient(new DicomClientOptions { Host = host, Port = port, CalledAeTitle = ae, CallingAeTitle = dimse.CallingAe }, registry);
            var source = new DimseSource(name ?? $"dimse:{ae}@{host}:{port}", client, new PseudonymGenerator(secret), new DimseSourceOptions
            {
                From = from,
                To = to,
                AnswerCap = dimse.AnswerCap,
                PauseBetweenQueries = TimeSpan.FromMilliseconds(Math.Max(0, dimse.PauseMs)),
                RecentDays = dimse.RecentDays,
            });
            var scope = SyncScopes.Next(catalogue.GetSource(source.Name), dimse.Full);
            var result = await source.SyncAsync(
                catalogue,
                scope,
                new SynchronousProgress<DimseSyncProgress>(p => line.Report($"{p.WindowsDone} date windows done, {p.WindowsPending} pending; {p.Studies} studies, {p.Series} series")),
                cancellationToken).ConfigureAwait(false);
            summary = $"{source.Name}: {Describe(scope, result.Resumed)}{result.Studies} studies, {result.Series} series, {result.Instances} instances indexed in {result.Windows} date windows ({result.Splits} split because the PACS capped its answers; {result.Queries} queries); {result.SeriesRemoved} series removed" +
                (result.CappedDays + result.CappedStudies > 0 ? $"; incomplete: {result.CappedDays} day(s) and {result.CappedStudies} study(ies) had more matches than the PACS answers, so nothing was removed" : "");
        }

        line.Done();
        output.WriteLine($"index: {summary}. Catalogue {catalogue.Path}: {catalogue.SeriesCount} series.");
        return 0;
    }

    private static string Describe(SyncScope scope, bool resumed) =>
        (scope == SyncScope.Full ? "full sync" : "recent days") + (resumed ? " (resumed)" : "") + ", ";

    private static (string Ae, string Host, int Port) ParseDimse(string text)
    {
        var rest = text["dimse://".Length..];
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        var colon = rest.LastIndexOf(':');
        if (at <= 0 || colon < at + 2 || !int.TryParse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new FormatException($"'{text}' is not a DIMSE source: use dimse://AET@HOST:PORT, as dimse://PACS@10.0.0.5:104.");
        }

        return (rest[..at], rest[(at + 1)..colon], port);
    }

    private static (DateOnly From, DateOnly? To) DateRange(string? text)
    {
        if (text is null)
        {
            return (new DateOnly(1980, 1, 1), null);
        }

        var parts = DicomDateArgument.Parse(text).Split('-');
        DateOnly? Date(string s) => s.Length == 0 ? null : DicomDate.TryParse(s, out var d) ? d : throw new FormatException($"'{s}' is not a date.");
        return parts.Length == 1
            ? (Date(parts[0])!.Value, Date(parts[0]))
            : (Date(parts[0]) ?? new DateOnly(1980, 1, 1), Date(parts[1]));
    }

    private sealed record DimseArguments(string CallingAe, string? StudyDate, int AnswerCap, int PauseMs, bool Full, int RecentDays);
}
