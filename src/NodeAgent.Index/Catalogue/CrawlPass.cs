namespace NodeAgent.Index.Catalogue;

/// <summary>
/// One crawl of a PACS under way, saved with every window it finishes so that a restart (after a
/// kill, an outage, the end of the allowed hours) resumes at the window it stopped in rather than
/// from the start. Series seen by the pass are stamped with its <see cref="Number"/>; when the pass
/// completes, the source's series in its range stamped with an older number are the ones the PACS no
/// longer has.
/// </summary>
public sealed class CrawlPass
{
    /// <summary>Increases with every pass of the source; stamped on the series the pass sees.</summary>
    public int Number { get; set; }

    public DateTime Started { get; set; }

    /// <summary>First study date of the range (yyyymmdd); null with <see cref="To"/> null: every study, undated ones too.</summary>
    public int? From { get; set; }

    public int? To { get; set; }

    /// <summary>The windows still to ask, the next one last.</summary>
    public List<CrawlWindow> Pending { get; set; } = [];

    public int WindowsDone { get; set; }

    /// <summary>Windows halved because the PACS capped its answers.</summary>
    public int Splits { get; set; }

    /// <summary>Studies the PACS reported that had no series (they count as seen but not indexed).</summary>
    public int StudiesWithoutSeries { get; set; }

    /// <summary>Single days with more studies than the PACS answers: indexed in part.</summary>
    public int CappedDays { get; set; }

    /// <summary>Studies with more series than the PACS answers: indexed in part.</summary>
    public int CappedStudies { get; set; }

    /// <summary>Whether a record's study date lies in the pass's range (every record when the range is open).</summary>
    public bool InRange(int? studyDate) =>
        (From is null && To is null) || (studyDate is { } d && (From is null || d >= From) && (To is null || d <= To));
}

/// <summary>A study-date window of a crawl (yyyymmdd, inclusive); both null: every study.</summary>
public sealed class CrawlWindow
{
    public int? From { get; set; }

    public int? To { get; set; }
}
