using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using NodeAgent.Dicom.Network.Client;
using NodeAgent.Index.Catalogue;
using NodeAgent.Pseudonymisation.Keys;
using NodeAgent.Service.Configuration;

namespace NodeAgent.Service.Diagnostics;

/// <summary>What a check found: all is well, something needs attention soon, or it will not work.</summary>
public enum Verdict
{
    Ok,
    Warn,
    Fail,
}

/// <summary>One line of <c>nodeagent doctor</c>. Details name hosts, files and keys; never a patient.</summary>
public sealed record DoctorCheck(string Name, Verdict Verdict, string Detail);

/// <summary>
/// Looks over an installed node the way its IT team would before calling for help: the configuration,
/// the site secret, each source reachable (C-ECHO, a DICOMweb query, the folder), the hub reachable,
/// certificates valid and not expiring within 30 days, disk space, the clock, and how fresh the
/// catalogue is. Reads only: it never writes the catalogue or opens the service's ports.
/// </summary>
public static class SiteDoctor
{
    /// <summary>Certificates expiring sooner than this are a warning.</summary>
    public static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(30);

    private static readonly TimeSpan ReachTimeout = TimeSpan.FromSeconds(10);

    public static async Task<IReadOnlyList<DoctorCheck>> ExamineAsync(string? configPath, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        time ??= TimeProvider.System;
        var checks = new List<DoctorCheck>();
        LoadedConfiguration configuration;
        try
        {
            configuration = NodeAgentConfiguration.Load(configPath);
            var files = configuration.Files.Count == 0 ? "built-in defaults" : string.Join(", ", configuration.Files);
            checks.Add(new("configuration", configuration.Development ? Verdict.Warn : Verdict.Ok, configuration.Development ? $"{files}; development mode (plain text on loopback, not for production)" : files));
        }
        catch (ConfigurationProblemException e)
        {
            checks.Add(new("configuration", Verdict.Fail, e.Message));
            return checks;
        }

        checks.Add(SiteSecretCheck(configuration));
        checks.AddRange(CertificateChecks(configuration, time.GetUtcNow()));
        var cataloguePath = Path.GetFullPath(configuration.Settings.Catalogue.Path);
        checks.Add(DiskCheck("disk (catalogue)", Path.GetDirectoryName(cataloguePath)!));
        var clockSkews = new List<TimeSpan>();
        using var http = new HttpClient { Timeout = ReachTimeout };
        foreach (var source in configuration.Sources)
        {
            checks.Add(await SourceCheckAsync(configuration, source, http, clockSkews, time, cancellationToken).ConfigureAwait(false));
        }

        if (configuration.Federation?.Tunnel is { } tunnel)
        {
            checks.Add(await HubCheckAsync(tunnel.Hub, cancellationToken).ConfigureAwait(false));
        }

        checks.Add(ClockCheck(time.GetUtcNow(), clockSkews));
        checks.AddRange(FreshnessChecks(configuration, cataloguePath, time.GetUtcNow()));
        return checks;
    }

    private static DoctorCheck SiteSecretCheck(LoadedConfiguration configuration)
    {
        if (configuration.Settings.SiteSecretFile is not { } file)
        {
            return new("site secret", configuration.Development ? Verdict.Warn : Verdict.Fail, "NodeAgent:SiteSecretFile is not set: patients would be keyed with a development secret, not the site's");
        }

        try
        {
            SiteSecret.Load(file);
            return new("site secret", Verdict.Ok, $"{file} readable, owner-only");
        }
        catch (SiteSecretException e)
        {
            return new("site secret", Verdict.Fail, $"NodeAgent:SiteSecretFile: {e.Message}");
        }
    }

    private static IEnumerable<DoctorCheck> CertificateChecks(LoadedConfiguration configuration, DateTimeOffset now)
    {
        if (configuration.Federation?.Tls is { } tls)
        {
            yield return Expiry("certificate (node)", tls.Certificate, now);
            foreach (var ca in tls.ClientCas)
            {
                yield return Expiry("certificate (requesters' CA)", ca, now);
            }
        }

        if (configuration.Federation?.Tunnel?.HubCaFile is { } hubCaFile)
        {
            var cas = new X509Certificate2Collection();
            DoctorCheck? unreadable = null;
            try
            {
                cas.ImportFromPemFile(hubCaFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                unreadable = new("certificate (hub's CA)", Verdict.Fail, $"NodeAgent:Federation:Tunnel:HubCaFile {hubCaFile}: {e.Message}");
            }

            if (unreadable is not null)
            {
                yield return unreadable;
            }

            foreach (var ca in cas)
            {
                yield return Expiry("certificate (hub's CA)", ca, now);
            }
        }
    }

    /// <summary>Valid now and for the next 30 days: OK; valid but not for long: WARN; expired or not yet valid: FAIL.</summary>
    public static DoctorCheck Expiry(string name, X509Certificate2 certificate, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        var subject = certificate.GetNameInfo(X509NameType.SimpleName, false);
        var until = notAfter.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (now < notBefore)
        {
            return new(name, Verdict.Fail, $"{subject}: not valid before {notBefore:yyyy-MM-dd} (or this machine's clock is behind)");
        }

        if (now > notAfter)
        {
            return new(name, Verdict.Fail, $"{subject}: expired on {until}");
        }

        var left = notAfter - now;
        return left < ExpiryWarning
            ? new(name, Verdict.Warn, $"{subject}: expires on {until}, in {left.TotalDays:0} days: renew it")
            : new(name, Verdict.Ok, $"{subject}: valid until {until}");
    }

    /// <summary>Under 1 GB free fails (the catalogue and audit log grow), under 5 GB warns.</summary>
    public static DoctorCheck DiskCheck(string name, string folder)
    {
        var existing = folder;
        while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            existing = parent;
        }

        long free;
        try
        {
            free = new DriveInfo(Path.GetFullPath(existing)).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return new(name, Verdict.Warn, $"free space for {folder} cannot be read ({e.GetType().Name})");
        }

        var text = $"{free / 1e9:0.0} GB free for {folder}";
        return free switch
        {
            < 1_000_000_000 => new(name, Verdict.Fail, text + "; at least 1 GB is needed"),
            < 5_000_000_000 => new(name, Verdict.Warn, text + "; less than 5 GB"),
            _ => new(name, Verdict.Ok, text),
        };
    }

    private static async Task<DoctorCheck> SourceCheckAsync(LoadedConfiguration configuration, ResolvedSource source, HttpClient http, List<TimeSpan> clockSkews, TimeProvider time, CancellationToken cancellationToken)
    {
        var name = $"source {source.Name} ({source.Kind})";
        var s = source.Settings;
        try
        {
            switch (source.Kind)
            {
                case "dimse":
                    using (var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                    {
                        limit.CancelAfter(ReachTimeout);
                        var client = new DicomClient(new DicomClientOptions { Host = s.Host!, Port = s.Port, CalledAeTitle = s.CalledAe!, CallingAeTitle = s.CallingAe });
                        var echo = await client.EchoAsync(limit.Token).ConfigureAwait(false);
                        return new(name, Verdict.Ok, $"C-ECHO to {s.CalledAe}@{s.Host}:{s.Port} answered in {echo.TotalMilliseconds:0} ms");
                    }

                case "dicomweb":
                    var query = new Uri(source.Url!.ToString().TrimEnd('/') + "/studies?limit=1");
                    using (var response = await http.GetAsync(query, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false))
                    {
                        if (response.Headers.Date is { } date)
                        {
                            clockSkews.Add(time.GetUtcNow() - date);
                        }

                        return response.IsSuccessStatusCode
                            ? new(name, Verdict.Ok, $"QIDO-RS {source.Url} answered {(int)response.StatusCode}")
                            : new(name, Verdict.Fail, $"QIDO-RS {source.Url} answered {(int)response.StatusCode} {response.ReasonPhrase} (address, credentials, or the server's DICOMweb plugin?)");
                    }

                default:
                    if (!Directory.Exists(s.Path) && s.Path == configuration.DemoFolder)
                    {
                        return new(name, Verdict.Ok, $"the demo corpus is written to {s.Path} on the first start");
                    }

                    if (!Directory.Exists(s.Path))
                    {
                        return new(name, Verdict.Fail, $"the folder {s.Path} does not exist or cannot be seen by this account");
                    }

                    _ = Directory.EnumerateFileSystemEntries(s.Path!).FirstOrDefault();
                    return new(name, Verdict.Ok, $"{s.Path} readable");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new(name, Verdict.Fail, $"no answer within {ReachTimeout.TotalSeconds:0} s (firewall, host or port?)");
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return new(name, Verdict.Fail, $"{s.Host}:{s.Port} refused the connection: nothing listens there (PACS down, wrong port?)");
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException or TimeoutException or HttpRequestException
            or System.Security.Authentication.AuthenticationException or NodeAgent.Dicom.DicomException)
        {
            // These messages name hosts, AE titles, statuses and files; no DICOM content reaches them.
            return new(name, Verdict.Fail, e.Message);
        }
    }

    private static async Task<DoctorCheck> HubCheckAsync(Uri hub, CancellationToken cancellationToken)
    {
        var port = hub.IsDefaultPort ? (hub.Scheme == Uri.UriSchemeHttps ? 443 : 80) : hub.Port;
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(ReachTimeout);
            using var socket = new TcpClient();
            await socket.ConnectAsync(hub.Host, port, limit.Token).ConfigureAwait(false);
            return new("hub", Verdict.Ok, $"{hub.Host}:{port} accepts connections (the node dials it)");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new("hub", Verdict.Fail, $"{hub.Host}:{port}: no answer within {ReachTimeout.TotalSeconds:0} s (outbound firewall or proxy?)");
        }
        catch (SocketException e)
        {
            return new("hub", Verdict.Fail, $"{hub.Host}:{port}: {e.Message}");
        }
    }

    /// <summary>
    /// The clock against the servers that told their time (DICOMweb Date headers): certificates,
    /// schedules and "recent days" all depend on it. Without any, only the obvious is checked.
    /// </summary>
    public static DoctorCheck ClockCheck(DateTimeOffset now, IReadOnlyCollection<TimeSpan> skews)
    {
        var built = File.GetLastWriteTimeUtc(typeof(SiteDoctor).Assembly.Location);
        if (now.UtcDateTime < built.AddDays(-1))
        {
            return new("clock", Verdict.Fail, $"{now:yyyy-MM-dd HH:mm} UTC is before this NodeAgent was installed: set the clock (NTP)");
        }

        if (skews.Count == 0)
        {
            return new("clock", Verdict.Ok, $"{now:yyyy-MM-dd HH:mm} UTC (no server told its time to compare)");
        }

        var worst = skews.MaxBy(s => s.Duration());
        var text = $"{worst.TotalSeconds:+0;-0} s from the sources' servers";
        return worst.Duration() > TimeSpan.FromMinutes(5)
            ? new("clock", Verdict.Warn, text + ": check NTP (certificates and sync windows depend on the clock)")
            : new("clock", Verdict.Ok, text);
    }

    private static IEnumerable<DoctorCheck> FreshnessChecks(LoadedConfiguration configuration, string cataloguePath, DateTimeOffset now)
    {
        if (!File.Exists(cataloguePath))
        {
            yield return new("catalogue", configuration.DemoFolder is null ? Verdict.Warn : Verdict.Ok, $"{cataloguePath} not created yet: the service creates it on its first start");
            yield break;
        }

        IReadOnlyList<SourceState> states;
        long series;
        DoctorCheck? unreadable = null;
        try
        {
            using var catalogue = SiteCatalogue.OpenReadOnly(cataloguePath);
            states = catalogue.Sources();
            series = catalogue.SeriesCount;
        }
        catch (CatalogueException e)
        {
            states = [];
            series = 0;
            unreadable = new("catalogue", Verdict.Fail, e.Message);
        }

        if (unreadable is not null)
        {
            yield return unreadable;
            yield break;
        }

        yield return new("catalogue", Verdict.Ok, $"{cataloguePath}: {series:N0} series");
        foreach (var source in configuration.Sources)
        {
            var name = $"freshness {source.Name}";
            var state = states.FirstOrDefault(s => s.Id == source.Name);
            if (state?.LastSuccessfulSync is not { } last)
            {
                yield return new(name, Verdict.Warn, state?.LastError is { } error ? $"never synced; last attempt failed: {ErrorKind(error)}" : "never synced yet");
                continue;
            }

            var age = now - new DateTimeOffset(DateTime.SpecifyKind(last, DateTimeKind.Utc));
            var expected = source.Kind is "folder" or "store" ? source.Schedule.FullEvery : source.Schedule.RecentEvery;
            var text = $"last sync {FormatAge(age)} ago (expected every {expected})";
            if (state.ConsecutiveFailures >= 3)
            {
                yield return new(name, Verdict.Fail, $"{text}; the last {state.ConsecutiveFailures} syncs failed ({ErrorKind(state.LastError)}; nodeagent query count --format json shows the message)");
            }
            else if (age > (expected * 3) + TimeSpan.FromHours(1))
            {
                yield return new(name, Verdict.Warn, $"{text}: is the service running, are the allowed hours right?");
            }
            else
            {
                yield return new(name, Verdict.Ok, text);
            }
        }
    }

    // A stored sync error may quote a path or a PACS's echo of a query: the doctor shows its kind only.
    private static string ErrorKind(string? error) => error is null ? "no error recorded" : error.Split(':', 2)[0].Trim() is { Length: > 0 and < 80 } kind && kind.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_') ? kind : "an error";

    private static string FormatAge(TimeSpan age) => age.TotalHours >= 48 ? $"{age.TotalDays:0} days" : age.TotalMinutes >= 90 ? $"{age.TotalHours:0} hours" : $"{Math.Max(0, age.TotalMinutes):0} minutes";
}
