using System;
using System.Collections.Generic;
using System.Globalization;

namespace NodeAgent.Dicom.Generators;

/// <summary>One line of a dictionary: a tag or a tag range with its VR(s), VM and keyword.</summary>
internal sealed class DictionaryRow
{
    public ushort GroupLow;
    public ushort GroupHigh;
    public RangeParity GroupParity;
    public ushort ElementLow;
    public ushort ElementHigh;
    public RangeParity ElementParity;
    public string Vrs = "";
    public string Vm = "";
    public string Keyword = "";
    public bool Retired;
    public string? PrivateCreator;

    public bool IsSingleTag => GroupLow == GroupHigh && ElementLow == ElementHigh;
}

internal enum RangeParity
{
    Even,
    Odd,
    All,
}

/// <summary>Reads DCMTK's <c>dicom.dic</c> (PS3.6 + PS3.7 command elements, 2026b).</summary>
internal static class StandardDictionaryParser
{
    public static List<DictionaryRow> Parse(string text, List<string> errors)
    {
        var rows = new List<DictionaryRow>();
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var fields = line.Split('\t');
            if (fields.Length < 5)
            {
                errors.Add($"dicom.dic:{lineNumber}: expected 5 tab-separated fields");
                continue;
            }

            var row = new DictionaryRow();
            if (!TagRangeParser.TryParse(fields[0], row, allowCreator: false, out var why))
            {
                errors.Add($"dicom.dic:{lineNumber}: {why}");
                continue;
            }

            row.Vrs = VrMapper.Map(fields[1]);
            row.Keyword = fields[2];
            row.Vm = fields[3];
            row.Retired = fields[4].IndexOf("retired", StringComparison.OrdinalIgnoreCase) >= 0;
            if (row.Keyword.StartsWith("RETIRED_", StringComparison.Ordinal))
            {
                row.Keyword = row.Keyword.Substring("RETIRED_".Length);
                row.Retired = true;
            }

            rows.Add(row);
        }

        return rows;
    }
}

/// <summary>Reads DCMTK's <c>private.dic</c>: entries keyed by group, private creator and element offset.</summary>
internal static class PrivateDictionaryParser
{
    public static List<DictionaryRow> Parse(string text, List<string> errors)
    {
        var rows = new List<DictionaryRow>();
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var fields = line.Split('\t');
            if (fields.Length < 4)
            {
                errors.Add($"private.dic:{lineNumber}: expected at least 4 tab-separated fields");
                continue;
            }

            var row = new DictionaryRow();
            if (!TagRangeParser.TryParse(fields[0], row, allowCreator: true, out var why))
            {
                errors.Add($"private.dic:{lineNumber}: {why}");
                continue;
            }

            // Only the low byte identifies an element within a private block (PS3.5 7.8.1).
            row.ElementLow = (ushort)(row.ElementLow & 0xFF);
            row.ElementHigh = (ushort)(row.ElementHigh & 0xFF);
            row.Vrs = VrMapper.Map(fields[1].Trim());
            row.Keyword = fields[2];
            row.Vm = fields[3];
            rows.Add(row);
        }

        return rows;
    }
}

internal static class TagRangeParser
{
    /// <summary>Parses <c>(gggg,eeee)</c>, <c>(gggg-o-gggg,eeee)</c>, <c>(gggg,"creator",ee)</c> and friends.</summary>
    public static bool TryParse(string field, DictionaryRow row, bool allowCreator, out string why)
    {
        why = "";
        if (field.Length < 5 || field[0] != '(' || field[field.Length - 1] != ')')
        {
            why = $"bad tag '{field}'";
            return false;
        }

        var inner = field.Substring(1, field.Length - 2);
        string groupPart;
        string elementPart;
        if (allowCreator)
        {
            var firstQuote = inner.IndexOf('"');
            var lastQuote = inner.LastIndexOf('"');
            if (firstQuote < 0 || lastQuote <= firstQuote)
            {
                why = $"private tag without creator '{field}'";
                return false;
            }

            groupPart = inner.Substring(0, firstQuote).TrimEnd(',');
            row.PrivateCreator = inner.Substring(firstQuote + 1, lastQuote - firstQuote - 1);
            elementPart = inner.Substring(lastQuote + 1).TrimStart(',');
        }
        else
        {
            var comma = inner.IndexOf(',');
            if (comma < 0)
            {
                why = $"bad tag '{field}'";
                return false;
            }

            groupPart = inner.Substring(0, comma);
            elementPart = inner.Substring(comma + 1);
        }

        if (!TryParseRange(groupPart, out row.GroupLow, out row.GroupHigh, out row.GroupParity)
            || !TryParseRange(elementPart, out row.ElementLow, out row.ElementHigh, out row.ElementParity))
        {
            why = $"bad tag range '{field}'";
            return false;
        }

        return true;
    }

    private static bool TryParseRange(string text, out ushort low, out ushort high, out RangeParity parity)
    {
        low = high = 0;
        parity = RangeParity.Even;
        var parts = text.Split('-');
        switch (parts.Length)
        {
            case 1:
                parity = RangeParity.All;
                return TryHex(parts[0], out low) && TryHex(parts[0], out high);
            case 2:
                return TryHex(parts[0], out low) && TryHex(parts[1], out high);
            case 3:
                parity = parts[1] switch
                {
                    "o" => RangeParity.Odd,
                    "u" => RangeParity.All,
                    _ => RangeParity.Even,
                };
                return TryHex(parts[0], out low) && TryHex(parts[2], out high);
            default:
                return false;
        }
    }

    private static bool TryHex(string s, out ushort value) =>
        ushort.TryParse(s.Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value);
}

/// <summary>Maps DCMTK's internal pseudo-VRs back to the standard's VR alternatives.</summary>
internal static class VrMapper
{
    public static string Map(string vr) => vr switch
    {
        "xs" => "US/SS",
        "ox" => "OB/OW",
        "px" => "OB/OW",
        "lt" => "US/OW",
        "up" => "UL",
        "na" => "",
        "" => "UN",
        _ => vr,
    };
}
