namespace NodeAgent.Index.Scheduling;

/// <summary>When a source is synced: the recent days often, everything (reconciliation) less often, within its hours.</summary>
public sealed record SyncSchedule
{
    /// <summary>How often the recent days of a PACS are crawled (new studies appear this fast).</summary>
    public TimeSpan RecentEvery { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>How often every date is crawled: deletions and late changes are noticed this fast. Folders are read whole this often.</summary>
    public TimeSpan FullEvery { get; init; } = TimeSpan.FromDays(1);

    /// <summary>The local hours in which crawling may run; a crawl still running when they close stops and resumes when they open.</summary>
    public AllowedHours Hours { get; init; } = AllowedHours.Always;

    /// <summary>The wait after a failed sync, doubled with each failure in a row up to <see cref="MaxRetryAfter"/>.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromMinutes(1);

    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromHours(1);
}
