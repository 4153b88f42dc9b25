using System.Globalization;

namespace NodeAgent.Index.Scheduling;

/// <summary>
/// The local hours in which a source may be crawled, as <c>HH:mm-HH:mm</c> (a range over midnight,
/// such as <c>20:00-06:00</c>, is allowed; <c>00:00-24:00</c> is every hour). Keeps a big crawl off a
/// clinical PACS during the working day.
/// </summary>
public readonly record struct AllowedHours(TimeSpan Start, TimeSpan End)
{
    public static AllowedHours Always { get; } = new(TimeSpan.Zero, TimeSpan.FromHours(24));

    public bool IsAlways => Start == TimeSpan.Zero && End == TimeSpan.FromHours(24);

    /// <exception cref="FormatException">Not <c>HH:mm-HH:mm</c>.</exception>
    public static AllowedHours Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !TryTime(parts[0], out var start) || !TryTime(parts[1], out var end) || start == end || start == TimeSpan.FromHours(24))
        {
            throw new FormatException($"'{text}' is not a range of hours: use HH:mm-HH:mm, as 20:00-06:00 (over midnight) or 00:00-24:00 (always).");
        }

        return new AllowedHours(start, end);
    }

    /// <summary>Whether a local time of day lies in the hours.</summary>
    public bool Contains(TimeSpan timeOfDay) =>
        IsAlways || (Start < End ? timeOfDay >= Start && timeOfDay < End : timeOfDay >= Start || timeOfDay < End);

    /// <summary>How long from <paramref name="now"/> until the hours next open (zero when open).</summary>
    public TimeSpan UntilOpen(DateTimeOffset now)
    {
        var t = now.TimeOfDay;
        return Contains(t) ? TimeSpan.Zero : t < Start ? Start - t : TimeSpan.FromHours(24) - t + Start;
    }

    /// <summary>How long from <paramref name="now"/> until the hours close: zero when closed, infinite when always open.</summary>
    public TimeSpan UntilClose(DateTimeOffset now)
    {
        if (IsAlways)
        {
            return Timeout.InfiniteTimeSpan;
        }

        var t = now.TimeOfDay;
        if (!Contains(t))
        {
            return TimeSpan.Zero; // already closed
        }

        var end = End == TimeSpan.FromHours(24) ? TimeSpan.FromHours(24) : End;
        return end > t ? end - t : TimeSpan.FromHours(24) - t + end;
    }

    public override string ToString() => $"{Format(Start)}-{Format(End)}";

    private static string Format(TimeSpan t) => t == TimeSpan.FromHours(24) ? "24:00" : t.ToString(@"hh\:mm", CultureInfo.InvariantCulture);

    private static bool TryTime(string text, out TimeSpan time)
    {
        if (text == "24:00")
        {
            time = TimeSpan.FromHours(24);
            return true;
        }

        return TimeSpan.TryParseExact(text, @"h\:mm", CultureInfo.InvariantCulture, out time) && time < TimeSpan.FromHours(24);
    }
}
