namespace NodeAgent.Index.Sources;

/// <summary>What a PACS sync crawls.</summary>
public enum SyncScope
{
    /// <summary>Every date of the source's range: the reconciliation that also notices deletions.</summary>
    Full,

    /// <summary>Only the recent days (the source's <c>RecentDays</c>): cheap, run often, catches new studies.</summary>
    Recent,
}

/// <summary>Which sync a source needs when one is asked for without a scope.</summary>
public static class SyncScopes
{
    /// <summary>
    /// Full when asked, when the source never completed a full sync, or when a full sync is under way
    /// (it resumes); the recent days otherwise.
    /// </summary>
    public static SyncScope Next(Catalogue.SourceState? state, bool fullAsked) =>
        fullAsked || state?.LastFullSync is null || state.FullPass is not null ? SyncScope.Full : SyncScope.Recent;
}
