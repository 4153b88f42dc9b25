using System.Globalization;

namespace NodeAgent.Dicom.Values;

/// <summary>A DT value: YYYY[MM[DD[HH[MM[SS[.F{1-6}]]]]]][&amp;ZZXX], with its precision and optional UTC offset.</summary>
public readonly record struct DicomDateTime(DateTime Value, DicomTimePrecision Precision, TimeSpan? Offset)
{
    public static bool TryParse(string? text, out DicomDateTime dateTime)
    {
        dateTime = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        TimeSpan? offset = null;
        var sign = s.IndexOfAny(['+', '-'], 4);
        if (sign > 0)
        {
            var z = s[(sign + 1)..];
            if (z.Length != 4 || !int.TryParse(z.AsSpan(0, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var zh)
                || !int.TryParse(z.AsSpan(2, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var zm))
            {
                return false;
            }

            offset = new TimeSpan(zh, zm, 0) * (s[sign] == '-' ? -1 : 1);
            s = s[..sign];
        }

        var datePart = s.Length >= 8 ? s[..8] : s;
        var year = datePart.Length >= 4 && int.TryParse(datePart.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var y) ? y : -1;
        var month = datePart.Length >= 6 && int.TryParse(datePart.AsSpan(4, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var mo) ? mo : 1;
        var day = datePart.Length >= 8 && int.TryParse(datePart.AsSpan(6, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var d) ? d : 1;
        if (year < 1 || datePart.Length is not (4 or 6 or 8) || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        var precision = datePart.Length switch
        {
            4 => DicomTimePrecision.Year,
            6 => DicomTimePrecision.Month,
            _ => DicomTimePrecision.Day,
        };
        var value = new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Unspecified);
        if (s.Length > 8)
        {
            if (!DicomTime.TryParse(s[8..], out var time))
            {
                return false;
            }

            value = value.Add(time.Value.ToTimeSpan());
            precision = time.Precision;
        }

        dateTime = new DicomDateTime(value, precision, offset);
        return true;
    }
}
