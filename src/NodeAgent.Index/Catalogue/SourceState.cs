namespace NodeAgent.Index.Catalogue;

/// <summary>What the catalogue knows of one source's sync: how fresh, how complete, what went wrong.</summary>
public sealed class SourceState
{
    private DateTime? _lastSyncStarted;
    private DateTime? _lastSuccessfulSync;
    private DateTime? _lastFullSync;
    private DateTime? _lastRecentSync;

    /// <summary>The source's name (its identity in the catalogue).</summary>
    public string Id { get; set; } = "";

    /// <summary>folder, dimse, dicomweb or store.</summary>
    public string Kind { get; set; } = "";

    /// <summary>Where it is (a folder path, AE@host:port, a URL): shown to the site's staff, never exported.</summary>
    public string Location { get; set; } = "";

    public DateTime? LastSyncStarted { get => _lastSyncStarted; set => _lastSyncStarted = Utc(value); }

    public DateTime? LastSuccessfulSync { get => _lastSuccessfulSync; set => _lastSuccessfulSync = Utc(value); }

    public int SeriesIndexed { get; set; }

    /// <summary>Studies the source reported in the last complete sync (a PACS's answers, a folder's studies).</summary>
    public int StudiesSeen { get; set; }

    /// <summary>Of those, studies with at least one series in the catalogue: coverage is this over <see cref="StudiesSeen"/>.</summary>
    public int StudiesIndexed { get; set; }

    public int InstancesIndexed { get; set; }

    /// <summary>Files or answers that could not be read in the last sync.</summary>
    public int Unreadable { get; set; }

    public string? LastError { get; set; }

    /// <summary>The number of the last crawl pass started (a PACS source).</summary>
    public int LastPassNumber { get; set; }

    /// <summary>A full crawl (reconciliation over every date) under way, resumed by the next sync.</summary>
    public CrawlPass? FullPass { get; set; }

    /// <summary>A crawl of the recent days under way, resumed by the next sync.</summary>
    public CrawlPass? RecentPass { get; set; }

    /// <summary>When the last full crawl completed: deletions in the PACS are noticed then.</summary>
    public DateTime? LastFullSync { get => _lastFullSync; set => _lastFullSync = Utc(value); }

    /// <summary>When the last crawl of the recent days completed.</summary>
    public DateTime? LastRecentSync { get => _lastRecentSync; set => _lastRecentSync = Utc(value); }

    /// <summary>Syncs that failed in a row (a PACS outage); 0 after a success.</summary>
    public int ConsecutiveFailures { get; set; }

    // LiteDB hands stored times back as local times: every time here is UTC, whatever it was read as.
    internal static DateTime? Utc(DateTime? value) => value is { } v ? (v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime()) : null;
}
