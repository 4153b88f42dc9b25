namespace NodeAgent.Service.Configuration;

/// <summary>
/// The <c>NodeAgent</c> section of the configuration: shipped defaults in <c>config/appsettings.json</c>,
/// the site file, environment variables (<c>NodeAgent__Sources__pacs__Host</c>) and the command line,
/// later ones winning. Durations are written as .NET time spans (<c>00:15:00</c>, <c>1.00:00:00</c>).
/// </summary>
public sealed class NodeAgentSettings
{
    public const string Section = "NodeAgent";

    /// <summary>
    /// Development mode: a development site secret is created when none is configured (and, with the
    /// federation, plain-text gRPC on loopback). On when no site file exists, off by default in one.
    /// </summary>
    public bool? Development { get; set; }

    /// <summary>The site secret (32+ random bytes, readable by the service only) that keys patient pseudonyms.</summary>
    public string? SiteSecretFile { get; set; }

    public CatalogueSettings Catalogue { get; set; } = new();

    public SyncSettings Sync { get; set; } = new();

    public FederationSettings Federation { get; set; } = new();

    /// <summary>HTTP /healthz and /readyz for probes and monitoring, as 127.0.0.1:50052; empty for none.</summary>
    public string HealthListen { get; set; } = "127.0.0.1:50052";

    public TelemetrySettings Telemetry { get; set; } = new();

    /// <summary>The sources to index, by name (the name is the source's identity in the catalogue).</summary>
    public Dictionary<string, SourceSettings> Sources { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>OpenTelemetry: traces and metrics out over OTLP, metrics for Prometheus to scrape.</summary>
public sealed class TelemetrySettings
{
    /// <summary>A Prometheus scrape endpoint (/metrics, HTTP/1.1) on its own address and port, as 127.0.0.1:9464; empty for none.</summary>
    public string PrometheusListen { get; set; } = "";

    /// <summary>An OpenTelemetry collector to send traces and metrics to, as http://collector:4317; empty for none.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>grpc (port 4317) or http/protobuf (port 4318).</summary>
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>Traces and metrics also written to the console (the journal), for a first look.</summary>
    public bool Console { get; set; }
}

public sealed class CatalogueSettings
{
    /// <summary>The catalogue file (LiteDB); relative paths are from the working directory.</summary>
    public string Path { get; set; } = "data/catalogue.db";

    /// <summary>The least time between two rebuilds of the count engine after changes.</summary>
    public string RefreshInterval { get; set; } = "00:00:10";
}

public sealed class SyncSettings
{
    /// <summary>How many sources sync at once (each PACS crawl holds one association).</summary>
    public int MaxConcurrentSyncs { get; set; } = 1;
}

/// <summary>One source: a PACS over DIMSE or DICOMweb, or a folder.</summary>
public sealed class SourceSettings
{
    /// <summary>dimse, dicomweb, folder or store.</summary>
    public string? Kind { get; set; }

    public bool Enabled { get; set; } = true;

    /// <summary>dimse: the PACS host, port and AE title, and ours.</summary>
    public string? Host { get; set; }

    public int Port { get; set; }

    public string? CalledAe { get; set; }

    public string CallingAe { get; set; } = "NODEAGENT";

    /// <summary>dicomweb: the service's base URL, as http://pacs:8042/dicom-web.</summary>
    public string? Url { get; set; }

    /// <summary>folder: the directory tree.</summary>
    public string? Path { get; set; }

    /// <summary>folder: also read soon after files change in it (once it has been quiet for a few seconds).</summary>
    public bool Watch { get; set; }

    /// <summary>store: our AE title for the PACS that pushes (C-STORE), the address to listen on, and Port.</summary>
    public string AeTitle { get; set; } = "NODEAGENT";

    public string Bind { get; set; } = "127.0.0.1";

    /// <summary>PACS: the earliest study date crawled (yyyy-MM-dd or yyyyMMdd).</summary>
    public string From { get; set; } = "1980-01-01";

    /// <summary>PACS: the most answers it gives one query when it caps without saying so (0: it says so, or no cap).</summary>
    public int AnswerCap { get; set; }

    /// <summary>PACS: the days (today included) an incremental sync crawls.</summary>
    public int RecentDays { get; set; } = 7;

    /// <summary>PACS: the most queries per second sent to it.</summary>
    public double MaxQueriesPerSecond { get; set; } = 5;

    public string RecentEvery { get; set; } = "00:15:00";

    public string FullEvery { get; set; } = "1.00:00:00";

    /// <summary>Local hours in which the source may be crawled, HH:mm-HH:mm.</summary>
    public string Hours { get; set; } = "00:00-24:00";
}

/// <summary>The gRPC endpoint the hub queries, and the site's disclosure policy.</summary>
public sealed class FederationSettings
{
    public bool Enabled { get; set; } = true;

    /// <summary>Address and port of the gRPC endpoint, as 127.0.0.1:50051; empty for none (outbound-only, through the tunnel).</summary>
    public string Listen { get; set; } = "127.0.0.1:50051";

    /// <summary>Outbound-only mode: the node dials the hub and answers down that connection.</summary>
    public TunnelSettings? Tunnel { get; set; }

    /// <summary>The site's identifier in the federation (default: the machine's name).</summary>
    public string? SiteId { get; set; }

    public bool FacetsEnabled { get; set; } = true;

    /// <summary>Pseudonymised study descriptors (record-level, k-anonymous, without noise); off by default.</summary>
    public bool SearchEnabled { get; set; }

    /// <summary>The most study descriptors one search releases.</summary>
    public int SearchMaxResults { get; set; } = 1000;

    public DisclosureSettings Disclosure { get; set; } = new();

    /// <summary>The audit log of every request and release (default: audit.log beside the catalogue).</summary>
    public string? AuditFile { get; set; }

    /// <summary>Mutual TLS: required outside development mode.</summary>
    public FederationTlsSettings? Tls { get; set; }

    /// <summary>The requesters admitted (with mutual TLS), by name.</summary>
    public Dictionary<string, RequesterSettings> Requesters { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

public sealed class FederationTlsSettings
{
    /// <summary>The node's certificate (PEM).</summary>
    public string? CertificateFile { get; set; }

    /// <summary>Its private key (PEM), readable by the service account only.</summary>
    public string? KeyFile { get; set; }

    /// <summary>The CA certificates (PEM bundle) that issue the requesters' client certificates.</summary>
    public string? ClientCaFile { get; set; }
}

public sealed class RequesterSettings
{
    /// <summary>The client certificate's subject, as CN=hub.example.org, O=Federation.</summary>
    public string? Subject { get; set; }

    /// <summary>Or its SHA-256 (or SHA-1) thumbprint, hex.</summary>
    public string? Thumbprint { get; set; }

    /// <summary>
    /// count, facets, search; required. (No default: the configuration binder adds a file's list to a
    /// default list instead of replacing it, which would grant roles nobody wrote.)
    /// </summary>
    public List<string> Roles { get; set; } = [];
}

public sealed class DisclosureSettings
{
    public int Threshold { get; set; } = 10;

    public int Rounding { get; set; } = 10;

    public double Epsilon { get; set; } = 1.0;

    /// <summary>The epsilon each requester may spend per calendar month on queries new to it (a Count costs 4 epsilon, Facets 1).</summary>
    public double BudgetPerMonth { get; set; } = 1000;

    /// <summary>Requests per second each requester may make (steady rate), and the burst allowed above it.</summary>
    public double RequestsPerSecond { get; set; } = 50;

    public int Burst { get; set; } = 100;
}

public sealed class TunnelSettings
{
    /// <summary>The hub's tunnel endpoint: https://hub.example.org:443 (mutual TLS with the node's certificate), or http://127.0.0.1:PORT in development.</summary>
    public string? HubUrl { get; set; }

    /// <summary>The CA bundle (PEM) that issues the hub's certificate (https only).</summary>
    public string? HubCaFile { get; set; }

    /// <summary>The hub's name as a requester here (audit log, privacy ledger).</summary>
    public string Requester { get; set; } = "hub";

    /// <summary>What the hub may ask through the tunnel: count, facets, search. Required.</summary>
    public List<string> Roles { get; set; } = [];

    public string Heartbeat { get; set; } = "00:00:15";
}
