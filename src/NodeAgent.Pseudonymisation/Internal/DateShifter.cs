using System.Globalization;
using System.Text;

namespace NodeAgent.Pseudonymisation.Internal;

/// <summary>
/// Moves DA and DT values by a whole number of days, so intervals within a patient are kept. Times
/// of day and UTC offsets are kept; a value that is not a date is replaced by a dummy.
/// </summary>
internal static class DateShifter
{
    public static string ShiftDates(string value, int days)
    {
        var parts = value.Split('\\');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i].Trim();
            if (part.Length == 0)
            {
                continue;
            }

            parts[i] = TryShiftDate(part.AsSpan(0, Math.Min(8, part.Length)), days, out var shifted) && part.Length == 8
                ? shifted
                : "19000101";
        }

        return string.Join('\\', parts);
    }

    public static string ShiftDateTimes(string value, int days)
    {
        var parts = value.Split('\\');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i].Trim();
            if (part.Length == 0)
            {
                continue;
            }

            // YYYY and YYYYMM carry less than a day's precision: shift from their first day and keep the precision.
            var precision = part.Length >= 8 && char.IsAsciiDigit(part[7]) ? 8 : part.Length >= 6 && char.IsAsciiDigit(part[5]) ? 6 : 4;
            var datePart = precision switch
            {
                8 => part[..8],
                6 => part[..6] + "01",
                _ => part[..Math.Min(4, part.Length)] + "0101",
            };
            if (part.Length < 4 || !TryShiftDate(datePart, days, out var shifted))
            {
                parts[i] = "19000101000000";
                continue;
            }

            parts[i] = new StringBuilder(shifted[..precision]).Append(part.AsSpan(precision)).ToString();
        }

        return string.Join('\\', parts);
    }

    private static bool TryShiftDate(ReadOnlySpan<char> yyyymmdd, int days, out string shifted)
    {
        shifted = "";
        if (!DateOnly.TryParseExact(yyyymmdd, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return false;
        }

        var moved = date.DayNumber + days;
        if (moved < DateOnly.MinValue.DayNumber || moved > DateOnly.MaxValue.DayNumber)
        {
            return false;
        }

        shifted = DateOnly.FromDayNumber(moved).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        return true;
    }
}
