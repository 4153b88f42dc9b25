using System.Globalization;
using Microsoft.Extensions.Configuration;
using NodeAgent.Dicom.Values;
using NodeAgent.Index.Scheduling;

namespace NodeAgent.Service.Configuration;

/// <summary>
/// Loads and checks the configuration, in this order (later wins): <c>config/appsettings.json</c>
/// beside the program (shipped defaults), the site file (<c>--config</c>, else <c>NODEAGENT_CONFIG</c>,
/// else <c>/etc/nodeagent/appsettings.json</c> or <c>%ProgramData%\NodeAgent\appsettings.json</c>),
/// environment variables, then command-line overrides. Every problem is collected, named by key, and
/// reported at once.
/// </summary>
public static class NodeAgentConfiguration
{
    public static string DefaultSiteFile =>
        OperatingSystem.IsWindows()
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "NodeAgent", "appsettings.json")
            : "/etc/nodeagent/appsettings.json";

    /// <summary>The shipped defaults, beside the program.</summary>
    public static string ShippedDefaults => Path.Combine(AppContext.BaseDirectory, "config", "appsettings.json");

    /// <exception cref="ConfigurationProblemException">A file is missing or malformed, or a value is wrong.</exception>
    public static LoadedConfiguration Load(string? siteFile, IEnumerable<string>? overrides = null)
    {
        var explicitFile = siteFile ?? Environment.GetEnvironmentVariable("NODEAGENT_CONFIG");
        if (explicitFile is not null && !File.Exists(explicitFile))
        {
            throw new ConfigurationProblemException($"the site configuration file {Path.GetFullPath(explicitFile)} does not exist.");
        }

        var site = explicitFile ?? (File.Exists(DefaultSiteFile) ? DefaultSiteFile : null);
        var files = new List<string>();
        var builder = new ConfigurationBuilder();
        if (File.Exists(ShippedDefaults))
        {
            builder.AddJsonFile(ShippedDefaults, optional: false, reloadOnChange: false);
            files.Add(ShippedDefaults);
        }

        if (site is not null)
        {
            builder.AddJsonFile(Path.GetFullPath(site), optional: false, reloadOnChange: false);
            files.Add(Path.GetFullPath(site));
        }

        builder.AddEnvironmentVariables();
        builder.AddCommandLine(overrides?.ToArray() ?? []);
        IConfigurationRoot root;
        try
        {
            root = builder.Build();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or IOException)
        {
            throw new ConfigurationProblemException($"a configuration file cannot be read: {e.Message}{(e.InnerException is { } inner ? " " + inner.Message : "")}", e);
        }

        // A misspelt key would otherwise be ignored and its default used without a word.
        var problems = new List<string>();
        UnknownKeys.Find(root.GetSection(NodeAgentSettings.Section), typeof(NodeAgentSettings), problems);
        var settings = new NodeAgentSettings();
        try
        {
            root.GetSection(NodeAgentSettings.Section).Bind(settings);
        }
        catch (InvalidOperationException e)
        {
            // The binder names the key and the value it could not use (a word for a number, say).
            problems.Add(e.Message + (e.InnerException is { } inner ? " " + inner.Message : ""));
            throw new ConfigurationProblemException(problems, files);
        }

        var resolved = Resolve(settings, site is not null, problems);
        return problems.Count > 0 ? throw new ConfigurationProblemException(problems, files) : resolved with { Root = root, Files = files };
    }

    private static LoadedConfiguration Resolve(NodeAgentSettings settings, bool hasSiteFile, List<string> problems)
    {
        const string Prefix = NodeAgentSettings.Section + ":";
        if (string.IsNullOrWhiteSpace(settings.Catalogue.Path))
        {
            problems.Add($"{Prefix}Catalogue:Path is empty: give the catalogue file, as /var/lib/nodeagent/catalogue.db.");
        }

        var refresh = Duration(settings.Catalogue.RefreshInterval, $"{Prefix}Catalogue:RefreshInterval", problems);
        if (settings.Sync.MaxConcurrentSyncs is < 1 or > 16)
        {
            problems.Add($"{Prefix}Sync:MaxConcurrentSyncs must be 1 to 16 (got {settings.Sync.MaxConcurrentSyncs}).");
        }

        var development = settings.Development ?? !hasSiteFile;
        if (settings.SiteSecretFile is null && !development)
        {
            problems.Add($"{Prefix}SiteSecretFile is not set: give the file with the site secret (32+ random bytes, readable by the service only), or set {Prefix}Development to true for a trial.");
        }

        var federation = ResolveFederation(settings.Federation, development, problems);
        var sources = new List<ResolvedSource>();
        foreach (var (name, source) in settings.Sources.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var key = $"{Prefix}Sources:{name}";
            if (ResolveSource(name, key, source, problems) is { } r && source.Enabled)
            {
                sources.Add(r);
            }
        }

        // Without a site file and without sources: the embedded default indexes a demo corpus the
        // agent writes itself, so that a first run has something to count.
        string? demo = null;
        if (!hasSiteFile && settings.Sources.Count == 0 && !string.IsNullOrWhiteSpace(settings.Catalogue.Path))
        {
            demo = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(settings.Catalogue.Path))!, "demo");
            var demoSettings = new SourceSettings { Kind = "folder", Path = demo, Watch = true };
            if (ResolveSource("demo", $"{Prefix}Sources:demo", demoSettings, problems) is { } resolved)
            {
                sources.Add(resolved);
            }
        }

        System.Net.IPEndPoint? health = null;
        if (!string.IsNullOrEmpty(settings.HealthListen) && (!System.Net.IPEndPoint.TryParse(settings.HealthListen, out health) || health.Port == 0))
        {
            problems.Add($"{Prefix}HealthListen must be an address and port, as 127.0.0.1:50052, or empty for none (got '{settings.HealthListen}').");
        }
        else if (health is not null && federation?.Address is { } grpc && grpc.Port == health.Port)
        {
            problems.Add($"{Prefix}HealthListen and {Prefix}Federation:Listen use the same port {health.Port}: give each its own.");
        }

        System.Net.IPEndPoint? prometheus = null;
        var telemetry = settings.Telemetry;
        if (!string.IsNullOrEmpty(telemetry.PrometheusListen) && (!System.Net.IPEndPoint.TryParse(telemetry.PrometheusListen, out prometheus) || prometheus.Port == 0))
        {
            problems.Add($"{Prefix}Telemetry:PrometheusListen must be an address and port, as 127.0.0.1:9464, or empty for none (got '{telemetry.PrometheusListen}').");
        }
        else if (prometheus is not null && (prometheus.Port == health?.Port || prometheus.Port == federation?.Address?.Port))
        {
            problems.Add($"{Prefix}Telemetry:PrometheusListen uses port {prometheus.Port}, as HealthListen or Federation:Listen does: give each its own.");
        }

        if (!string.IsNullOrEmpty(telemetry.OtlpEndpoint) && (!Uri.TryCreate(telemetry.OtlpEndpoint, UriKind.Absolute, out var otlp) || (otlp.Scheme != Uri.UriSchemeHttp && otlp.Scheme != Uri.UriSchemeHttps)))
        {
            problems.Add($"{Prefix}Telemetry:OtlpEndpoint must be an http(s) address, as http://collector:4317 (got '{telemetry.OtlpEndpoint}').");
        }

        if (telemetry.OtlpProtocol is not ("grpc" or "http/protobuf"))
        {
            problems.Add($"{Prefix}Telemetry:OtlpProtocol is grpc or http/protobuf (got '{telemetry.OtlpProtocol}').");
        }

        return new LoadedConfiguration(null!, settings, development, [], sources, refresh, federation) { DemoFolder = demo, HealthEndpoint = health, PrometheusEndpoint = prometheus };
    }

    private static FederationEndpoint? ResolveFederation(FederationSettings f, bool development, List<string> problems)
    {
        const string Key = NodeAgentSettings.Section + ":Federation";
        if (!f.Enabled)
        {
            return null;
        }

        var before = problems.Count;
        System.Net.IPEndPoint? endpoint = null;
        if (!string.IsNullOrEmpty(f.Listen) && (!System.Net.IPEndPoint.TryParse(f.Listen, out endpoint) || endpoint.Port == 0))
        {
            problems.Add($"{Key}:Listen must be an address and port, as 127.0.0.1:50051, or empty for outbound-only (got '{f.Listen}').");
            endpoint = null;
        }

        var tunnel = ResolveTunnel(f, development, problems);
        if (string.IsNullOrEmpty(f.Listen) && tunnel is null)
        {
            problems.Add($"{Key}:Listen is empty and no {Key}:Tunnel is configured: the hub could not reach this node at all; set Enabled to false instead.");
        }

        // Without an inbound endpoint nobody presents a client certificate: no client CA is needed.
        var tls = f.Tls is null ? null : FederationTlsLoader.Load(f.Tls, $"{Key}:Tls", problems, requireClientCa: endpoint is not null);
        if (tunnel?.Hub.Scheme == Uri.UriSchemeHttps && f.Tls is null)
        {
            problems.Add($"{Key}:Tunnel:HubUrl is https: the node dials with its certificate, so {Key}:Tls (CertificateFile, KeyFile) is required.");
        }

        if (f.Tls is null && !development)
        {
            problems.Add($"{Key}:Tls is required outside development mode: the hub comes in over mutual TLS (CertificateFile, KeyFile, ClientCaFile), or set {Key}:Enabled to false.");
        }
        else if (f.Tls is null && endpoint is not null && !System.Net.IPAddress.IsLoopback(endpoint.Address))
        {
            problems.Add($"{Key}:Listen: plain-text gRPC (development mode) listens on loopback only, as 127.0.0.1:50051 (got '{f.Listen}'); configure {Key}:Tls to listen elsewhere.");
        }

        var requesters = new List<NodeAgent.Federation.Security.RequesterEntry>();
        foreach (var (name, r) in f.Requesters.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            var rkey = $"{Key}:Requesters:{name}";
            if (string.IsNullOrWhiteSpace(r.Subject) && string.IsNullOrWhiteSpace(r.Thumbprint))
            {
                problems.Add($"{rkey}: give the client certificate's Subject or Thumbprint.");
            }

            if (r.Subject is { Length: > 0 } subject)
            {
                try
                {
                    _ = new System.Security.Cryptography.X509Certificates.X500DistinguishedName(subject);
                }
                catch (System.Security.Cryptography.CryptographicException)
                {
                    problems.Add($"{rkey}:Subject is not a distinguished name, as CN=hub.example.org, O=Federation (got '{subject}').");
                }
            }

            var unknown = r.Roles.Where(role => !NodeAgent.Federation.Security.FederationRoles.All.Contains(role)).ToList();
            if (unknown.Count > 0 || r.Roles.Count == 0)
            {
                problems.Add($"{rkey}:Roles are among {string.Join(", ", NodeAgent.Federation.Security.FederationRoles.All)} (got '{string.Join(", ", r.Roles)}').");
            }

            requesters.Add(new NodeAgent.Federation.Security.RequesterEntry(name, r.Subject, r.Thumbprint, new HashSet<string>(r.Roles, StringComparer.Ordinal)));
        }

        if (f.Tls is not null && requesters.Count == 0 && endpoint is not null)
        {
            problems.Add($"{Key}:Requesters is empty: with mutual TLS, name the hubs that may ask (by certificate Subject or Thumbprint) and their roles.");
        }

        if (f.Disclosure.Threshold < 1 || f.Disclosure.Rounding < 1)
        {
            problems.Add($"{Key}:Disclosure: Threshold and Rounding are 1 or more (got {f.Disclosure.Threshold} and {f.Disclosure.Rounding}).");
        }

        if (!(f.Disclosure.Epsilon >= 0 && f.Disclosure.Epsilon <= 100))
        {
            problems.Add($"{Key}:Disclosure:Epsilon is 0 (no noise) to 100 (got {f.Disclosure.Epsilon.ToString(CultureInfo.InvariantCulture)}).");
        }

        if (!(f.Disclosure.BudgetPerMonth >= 0) || !(f.Disclosure.RequestsPerSecond > 0) || f.Disclosure.Burst < 1)
        {
            problems.Add($"{Key}:Disclosure: BudgetPerMonth is 0 or more, RequestsPerSecond more than 0, Burst 1 or more.");
        }

        if (f.SearchMaxResults is < 1 or > 10_000)
        {
            problems.Add($"{Key}:SearchMaxResults is 1 to 10000 (got {f.SearchMaxResults}).");
        }

        return problems.Count > before ? null : new FederationEndpoint(endpoint, tls, tls is null ? null : new NodeAgent.Federation.Security.RequesterAllowList(requesters)) { Tunnel = tunnel };
    }

    private static ResolvedTunnel? ResolveTunnel(FederationSettings f, bool development, List<string> problems)
    {
        const string Key = NodeAgentSettings.Section + ":Federation:Tunnel";
        if (f.Tunnel is not { } t)
        {
            return null;
        }

        var before = problems.Count;
        if (!Uri.TryCreate(t.HubUrl, UriKind.Absolute, out var hub) || (hub.Scheme != Uri.UriSchemeHttps && hub.Scheme != Uri.UriSchemeHttp))
        {
            problems.Add($"{Key}:HubUrl must be the hub's tunnel address, as https://hub.example.org:443 (got '{t.HubUrl}').");
        }
        else if (hub.Scheme == Uri.UriSchemeHttp && (!development || !(hub.IsLoopback)))
        {
            problems.Add($"{Key}:HubUrl: plain text (http) only in development mode and to this machine; use https.");
        }
        else if (hub.Scheme == Uri.UriSchemeHttps && (t.HubCaFile is null || !File.Exists(t.HubCaFile)))
        {
            problems.Add($"{Key}:HubCaFile: give the CA bundle (PEM) that issues the hub's certificate (got '{t.HubCaFile}').");
        }

        if (string.IsNullOrWhiteSpace(t.Requester) || t.Requester.Length > 64)
        {
            problems.Add($"{Key}:Requester is the hub's name here (audit log, privacy ledger): 1 to 64 characters.");
        }

        var unknown = t.Roles.Where(role => !NodeAgent.Federation.Security.FederationRoles.All.Contains(role)).ToList();
        if (unknown.Count > 0 || t.Roles.Count == 0)
        {
            problems.Add($"{Key}:Roles are among {string.Join(", ", NodeAgent.Federation.Security.FederationRoles.All)} (got '{string.Join(", ", t.Roles)}').");
        }

        var heartbeat = Duration(t.Heartbeat, $"{Key}:Heartbeat", problems);
        return problems.Count > before
            ? null
            : new ResolvedTunnel(hub!, t.HubCaFile, new NodeAgent.Federation.Security.Requester(t.Requester, new HashSet<string>(t.Roles, StringComparer.Ordinal)), heartbeat);
    }

    private static ResolvedSource? ResolveSource(string name, string key, SourceSettings s, List<string> problems)
    {
        var before = problems.Count;
        if (name.Length > 64 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            problems.Add($"{key}: a source name is letters, digits, '-', '_' and '.', up to 64 characters.");
        }

        var kind = s.Kind?.Trim().ToLowerInvariant();
        Uri? url = null;
        switch (kind)
        {
            case "dimse":
                if (string.IsNullOrWhiteSpace(s.Host))
                {
                    problems.Add($"{key}:Host is missing: the PACS host name or address.");
                }

                if (s.Port is < 1 or > 65535)
                {
                    problems.Add($"{key}:Port must be 1 to 65535 (got {s.Port}): the PACS DICOM port.");
                }

                AeTitle(s.CalledAe, $"{key}:CalledAe", "the PACS AE title", problems);
                AeTitle(s.CallingAe, $"{key}:CallingAe", "our AE title, as the PACS knows it", problems);
                break;
            case "dicomweb":
                if (!Uri.TryCreate(s.Url, UriKind.Absolute, out url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                {
                    problems.Add($"{key}:Url must be the DICOMweb base URL, as http://pacs:8042/dicom-web (got '{s.Url}').");
                }

                break;
            case "folder":
                if (string.IsNullOrWhiteSpace(s.Path))
                {
                    problems.Add($"{key}:Path is missing: the folder to index.");
                }

                break;
            case "store":
                // Images pushed to the node by C-STORE: received into Path, indexed as they arrive,
                // and Path read again on the full schedule (what arrived while indexing failed).
                if (string.IsNullOrWhiteSpace(s.Path))
                {
                    problems.Add($"{key}:Path is missing: the folder received files are written to.");
                }

                if (s.Port is < 1 or > 65535)
                {
                    problems.Add($"{key}:Port must be 1 to 65535 (got {s.Port}): the port the PACS sends to (11112 is usual; below 1024 needs privileges the service does not have).");
                }

                if (!System.Net.IPAddress.TryParse(s.Bind, out _))
                {
                    problems.Add($"{key}:Bind must be an address to listen on: 127.0.0.1 (this machine only), 0.0.0.0 (every interface) or one interface's address (got '{s.Bind}').");
                }

                AeTitle(s.AeTitle, $"{key}:AeTitle", "our AE title, as the PACS sends to it", problems);
                break;
            default:
                problems.Add($"{key}:Kind must be dimse, dicomweb, folder or store (got '{s.Kind}').");
                break;
        }

        if (s.Watch && kind != "folder")
        {
            problems.Add($"{key}:Watch is for folder sources only.");
        }

        DateOnly from = default;
        if (!DicomDate.TryParse(s.From.Replace("-", "", StringComparison.Ordinal), out from))
        {
            problems.Add($"{key}:From must be a date, as 1990-01-01 (got '{s.From}').");
        }

        if (s.AnswerCap < 0)
        {
            problems.Add($"{key}:AnswerCap must be 0 (the PACS reports its cap, or has none) or its cap (got {s.AnswerCap}).");
        }

        if (s.RecentDays is < 1 or > 366)
        {
            problems.Add($"{key}:RecentDays must be 1 to 366 (got {s.RecentDays}).");
        }

        if (!(s.MaxQueriesPerSecond > 0 && s.MaxQueriesPerSecond <= 1000))
        {
            problems.Add($"{key}:MaxQueriesPerSecond must be more than 0 and at most 1000 (got {s.MaxQueriesPerSecond.ToString(CultureInfo.InvariantCulture)}).");
        }

        var recent = Duration(s.RecentEvery, $"{key}:RecentEvery", problems);
        var full = Duration(s.FullEvery, $"{key}:FullEvery", problems);
        var hours = AllowedHours.Always;
        try
        {
            hours = AllowedHours.Parse(s.Hours);
        }
        catch (FormatException e)
        {
            problems.Add($"{key}:Hours: {e.Message}");
        }

        return problems.Count > before
            ? null
            : new ResolvedSource(name, kind!, s, url, from, new SyncSchedule { RecentEvery = recent, FullEvery = full, Hours = hours });
    }

    private static void AeTitle(string? value, string key, string what, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 16 || value.Any(c => c < 0x20 || c > 0x7E || c == '\\'))
        {
            problems.Add($"{key} must be {what}: 1 to 16 printable ASCII characters, no backslash (got '{value}').");
        }
    }

    private static TimeSpan Duration(string? text, string key, List<string> problems)
    {
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value >= TimeSpan.FromSeconds(1))
        {
            return value;
        }

        problems.Add($"{key} must be a duration of a second or more, as 00:15:00 (15 minutes) or 1.00:00:00 (a day) (got '{text}').");
        return TimeSpan.FromMinutes(1);
    }
}

/// <summary>The configuration as the service uses it: checked, with durations and dates parsed.</summary>
public sealed record LoadedConfiguration(
    IConfigurationRoot Root,
    NodeAgentSettings Settings,
    bool Development,
    IReadOnlyList<string> Files,
    IReadOnlyList<ResolvedSource> Sources,
    TimeSpan RefreshInterval,
    FederationEndpoint? Federation)
{
    /// <summary>The demo corpus's folder when the embedded default indexes it (no site file, no sources).</summary>
    public string? DemoFolder { get; init; }

    /// <summary>Where /healthz and /readyz answer (HTTP/1.1), if anywhere.</summary>
    public System.Net.IPEndPoint? HealthEndpoint { get; init; }

    /// <summary>Where Prometheus scrapes /metrics (HTTP/1.1), if anywhere.</summary>
    public System.Net.IPEndPoint? PrometheusEndpoint { get; init; }
}

/// <summary>Where the federation listens (null: outbound-only) and, with mutual TLS, its certificates and admitted requesters.</summary>
public sealed record FederationEndpoint(System.Net.IPEndPoint? Address, FederationTls? Tls, NodeAgent.Federation.Security.RequesterAllowList? Requesters)
{
    /// <summary>The hub this node dials (outbound-only mode), if any.</summary>
    public ResolvedTunnel? Tunnel { get; init; }
}

/// <summary>The tunnel to the hub, checked.</summary>
public sealed record ResolvedTunnel(Uri Hub, string? HubCaFile, NodeAgent.Federation.Security.Requester Requester, TimeSpan Heartbeat);

/// <summary>One enabled source, checked.</summary>
public sealed record ResolvedSource(string Name, string Kind, SourceSettings Settings, Uri? Url, DateOnly From, SyncSchedule Schedule);
