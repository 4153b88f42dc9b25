using System.Globalization;
using NodeAgent.Dicom.Values;

namespace NodeAgent.Cli.Pacs;

/// <summary>
/// Dates everywhere in the CLI: a DICOM date or range (20180101, 20180101-20201231, 20180101-,
/// -20201231) or the ISO form (2018-01-01, 2018-01-01..2020-12-31). Returns the DICOM range.
/// </summary>
internal static class DicomDateArgument
{
    public static string Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = text.Trim();
        var (from, to) = s.Contains("..", StringComparison.Ordinal)
            ? Split(s, "..")
            : s.Contains('-', StringComparison.Ordinal) && !IsIsoDate(s) ? Split(s, "-") : (s, (string?)null);
        if (to is null)
        {
            return Date(from!);
        }

        var result = $"{(from!.Length == 0 ? "" : Date(from))}-{(to.Length == 0 ? "" : Date(to))}";
        return result == "-" ? throw new FormatException($"'{text}' has no date on either side.") : result;
    }

    private static (string? From, string? To) Split(string s, string separator)
    {
        var at = s.IndexOf(separator, StringComparison.Ordinal);
        return (s[..at], s[(at + separator.Length)..]);
    }

    private static bool IsIsoDate(string s) => DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    private static string Date(string s)
    {
        if (DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var iso))
        {
            return DicomDate.Format(iso);
        }

        if (DicomDate.TryParse(s, out var dicom))
        {
            return DicomDate.Format(dicom);
        }

        throw new FormatException($"'{s}' is not a date: use YYYYMMDD or YYYY-MM-DD, and ranges as 20180101-20201231 or 2018-01-01..2020-12-31.");
    }
}
