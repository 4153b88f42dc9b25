using System.Globalization;

namespace NodeAgent.Dicom.Values;

/// <summary>A TM value: HH[MM[SS[.F{1-6}]]] (and the ACR-NEMA form HH:MM:SS), with the precision given.</summary>
public readonly record struct DicomTime(TimeOnly Value, DicomTimePrecision Precision)
{
    public static bool TryParse(string? text, out DicomTime time)
    {
        time = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim().Replace(":", "", StringComparison.Ordinal);
        var fraction = 0L;
        var precision = DicomTimePrecision.Hour;
        var dot = s.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            var digits = s[(dot + 1)..];
            if (digits.Length is 0 or > 6 || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out fraction))
            {
                return false;
            }

            // Scale to 100 ns ticks: six digits are microseconds.
            fraction *= (long)Math.Pow(10, 7 - digits.Length);
            s = s[..dot];
            precision = DicomTimePrecision.Fraction;
        }

        if (s.Length is not (2 or 4 or 6) || !s.All(char.IsAsciiDigit))
        {
            return false;
        }

        var hour = int.Parse(s.AsSpan(0, 2), CultureInfo.InvariantCulture);
        var minute = s.Length >= 4 ? int.Parse(s.AsSpan(2, 2), CultureInfo.InvariantCulture) : 0;
        var second = s.Length >= 6 ? int.Parse(s.AsSpan(4, 2), CultureInfo.InvariantCulture) : 0;

        // PS3.5 allows 60 for a leap second; TimeOnly cannot hold it, so it is read as 59.
        second = Math.Min(second, 59);
        if (hour > 23 || minute > 59)
        {
            return false;
        }

        if (precision != DicomTimePrecision.Fraction)
        {
            precision = s.Length switch
            {
                2 => DicomTimePrecision.Hour,
                4 => DicomTimePrecision.Minute,
                _ => DicomTimePrecision.Second,
            };
        }

        time = new DicomTime(new TimeOnly(new TimeSpan(0, hour, minute, second).Ticks + fraction), precision);
        return true;
    }
}
