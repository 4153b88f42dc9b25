using System.Globalization;

namespace NodeAgent.Dicom.Values;

/// <summary>DA values (PS3.5 Table 6.2-1): YYYYMMDD, and the ACR-NEMA form YYYY.MM.DD still found in old files.</summary>
public static class DicomDate
{
    public static bool TryParse(string? text, out DateOnly date)
    {
        date = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        if (s.Length == 10 && s[4] == '.' && s[7] == '.')
        {
            s = string.Concat(s.AsSpan(0, 4), s.AsSpan(5, 2), s.AsSpan(8, 2));
        }

        return s.Length == 8 && DateOnly.TryParseExact(s, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
    }

    public static string Format(DateOnly date) => date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
}
