namespace NodeAgent.Index.Sources.Internal;

/// <summary>The study dates a sync crawls, from its scope and the source's options.</summary>
internal static class SyncRange
{
    public static DateWindow Of(SyncScope scope, DateOnly from, DateOnly? to, int recentDays)
    {
        // Study dates are the hospital's local dates.
        var last = to ?? DateOnly.FromDateTime(DateTime.Now);
        if (scope == SyncScope.Full)
        {
            return new DateWindow(from, last);
        }

        var first = last.AddDays(-Math.Max(1, recentDays) + 1);
        return new DateWindow(first < from ? from : first, last);
    }
}
