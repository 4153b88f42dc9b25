using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NodeAgent.IntegrationTests.Codec;

/// <summary>
/// Compares our DICOM JSON with pydicom's <c>to_json_dict()</c> for the same file. Differences are
/// reported by tag path and kind, never with the values (test output must not carry identifiers).
///
/// Normalisation, where the two differ by representation and not by content:
/// 1. Text: leading/trailing spaces and NULs are ignored (pydicom keeps some padding, e.g. "DERIVED ").
/// 2. An empty value among several is null in PS3.18 F.2.5; pydicom writes "" (or null): equal.
/// 3. A sequence without items has no "Value" in PS3.18; pydicom writes "Value": []: equal.
/// 4. Numbers are compared as numbers (pydicom: DS through Python float, FL widened to double).
/// 5. PN: empty component groups are dropped on both sides; components are trimmed as text.
/// 6. InlineBinary: PS3.18 wants little-endian bytes; pydicom gives a big endian file's bytes as
///    stored, so those are swapped by the VR's unit before comparing.
/// 7. pydicom reports a few VRs it could not resolve as compound strings ("OB or OW", "US or SS");
///    those match our resolved VR when ours is one of the alternatives.
/// 8. Private elements in implicit VR that our private dictionary (DCMTK's) does not know are UN
///    for us; pydicom's dictionary may know them. Our bytes are then decoded in pydicom's VR and
///    compared value by value.
/// 9. Encapsulated Pixel Data is OB (PS3.5 A.4); pydicom reports OW when Bits Allocated is over 8.
/// 10. Elements pydicom cannot convert (invalid IS/DS text) are dropped by its suppress_invalid_tags;
///    we keep them as text. Those tag paths are ignored when only we have them.
/// </summary>
public static class DicomJsonComparison
{
    public static List<string> Compare(JsonObject ours, JsonObject theirs, bool theirsBigEndian, IReadOnlySet<string>? suppressed = null)
    {
        var differences = new List<string>();
        new Comparison(theirsBigEndian, suppressed ?? new HashSet<string>(), differences).CompareDatasets("", ours, theirs);
        return differences;
    }

    private sealed class Comparison(bool bigEndian, IReadOnlySet<string> suppressed, List<string> differences)
    {
    public void CompareDatasets(string path, JsonObject ours, JsonObject theirs)
    {
        foreach (var (key, theirElement) in theirs)
        {
            var where = path.Length == 0 ? key : $"{path}.{key}";
            if (!ours.TryGetPropertyValue(key, out var ourElement) || ourElement is null)
            {
                differences.Add($"{where}: only in pydicom");
                continue;
            }

            CompareElements(where, ourElement.AsObject(), theirElement!.AsObject());
        }

        foreach (var (key, _) in ours)
        {
            var where = path.Length == 0 ? key : $"{path}.{key}";
            if (!theirs.ContainsKey(key) && !suppressed.Contains(where))
            {
                differences.Add($"{where}: only in ours");
            }
        }
    }

    private void CompareElements(string path, JsonObject ours, JsonObject theirs)
    {
        var ourVr = ours["vr"]!.GetValue<string>();
        var theirVr = theirs["vr"]!.GetValue<string>();
        if (ourVr == "UN" && theirVr != "UN" && IsPrivate(path) && theirs["InlineBinary"] is null)
        {
            CompareValues(path, DecodeAs(Binary(ours), theirVr), (theirs["Value"]?.AsArray() ?? []).Select(v => Normalise(v, theirVr)).ToList());
            return;
        }

        var encapsulatedPixelData = path == "7FE00010" && ourVr == "OB" && theirVr == "OW";
        if (ourVr != theirVr && !encapsulatedPixelData && !(theirVr.Contains(" or ", StringComparison.Ordinal) && theirVr.Split(" or ").Contains(ourVr)))
        {
            differences.Add($"{path}: VR {ourVr} vs pydicom {theirVr}");
            return;
        }

        if (ours["InlineBinary"] is not null || theirs["InlineBinary"] is not null)
        {
            var a = Binary(ours);
            var b = Binary(theirs);
            if (bigEndian)
            {
                Swap(b, SwapUnit(ourVr));
            }

            if (!a.AsSpan().SequenceEqual(b))
            {
                differences.Add($"{path}: binary differs ({a.Length} vs pydicom {b.Length} bytes)");
            }

            return;
        }

        var ourValues = ours["Value"]?.AsArray() ?? [];
        var theirValues = theirs["Value"]?.AsArray() ?? [];
        if (ourVr == "SQ")
        {
            if (ourValues.Count != theirValues.Count)
            {
                differences.Add($"{path}: {ourValues.Count} items vs pydicom {theirValues.Count}");
                return;
            }

            for (var i = 0; i < ourValues.Count; i++)
            {
                CompareDatasets($"{path}[{i}]", ourValues[i]!.AsObject(), theirValues[i]!.AsObject());
            }

            return;
        }

        CompareValues(path, ourValues.Select(v => Normalise(v, ourVr)).ToList(), theirValues.Select(v => Normalise(v, ourVr)).ToList());
    }

    private void CompareValues(string path, List<object?> a2, List<object?> b2)
    {
        TrimEmptyTail(a2);
        TrimEmptyTail(b2);
        if (a2.Count != b2.Count)
        {
            differences.Add($"{path}: {a2.Count} values vs pydicom {b2.Count}");
            return;
        }

        for (var i = 0; i < a2.Count; i++)
        {
            if (!Same(a2[i], b2[i]))
            {
                differences.Add($"{path}: value {i} differs ({Describe(a2[i])} vs pydicom {Describe(b2[i])})");
            }
        }
    }

    /// <summary>Bytes of an element we read as UN, decoded in the VR pydicom's private dictionary gives.</summary>
    private List<object?> DecodeAs(byte[] bytes, string vr)
    {
        int size = vr switch { "US" or "SS" => 2, "UL" or "SL" or "FL" => 4, "FD" or "SV" or "UV" => 8, _ => 0 };
        if (size == 0)
        {
            var text = System.Text.Encoding.Latin1.GetString(bytes);
            var parts = vr is "LT" or "ST" or "UT" or "UR" ? [text] : text.Split('\\');
            return parts.Select(p => Normalise(JsonValue.Create(p), vr)).ToList();
        }

        var values = new List<object?>();
        for (var i = 0; i + size <= bytes.Length; i += size)
        {
            var v = bytes.AsSpan(i, size).ToArray();
            if (bigEndian)
            {
                Array.Reverse(v);
            }

            values.Add(vr switch
            {
                "US" => (double)BitConverter.ToUInt16(v),
                "SS" => BitConverter.ToInt16(v),
                "UL" => BitConverter.ToUInt32(v),
                "SL" => BitConverter.ToInt32(v),
                "FL" => BitConverter.ToSingle(v),
                "FD" => BitConverter.ToDouble(v),
                "SV" => BitConverter.ToInt64(v),
                _ => (double)BitConverter.ToUInt64(v),
            });
        }

        return values;
    }

    private static bool IsPrivate(string path)
    {
        var last = path[(path.LastIndexOf('.') + 1)..];
        return (Convert.ToUInt16(last[..4], 16) & 1) == 1;
    }
    }

    private static object? Normalise(JsonNode? node, string vr)
    {
        switch (node)
        {
            case null:
                return "";
            case JsonObject pn:
                var groups = new[] { "Alphabetic", "Ideographic", "Phonetic" }
                    .Select(g => pn[g]?.GetValue<string>().Trim(' ', '\0') ?? "")
                    .ToList();
                while (groups.Count > 0 && groups[^1].Length == 0)
                {
                    groups.RemoveAt(groups.Count - 1);
                }

                return string.Join("=", groups);
            case JsonValue value when value.GetValueKind() == JsonValueKind.Number:
                return value.GetValue<double>();
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                var text = value.GetValue<string>().Trim(' ', '\0');
                if (vr is "IS" or "DS" && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    return number;
                }

                return text;
            default:
                return node.ToJsonString();
        }
    }

    private static void TrimEmptyTail(List<object?> values)
    {
        // A value that is all padding reads as no value at all in one tool and one empty value in another.
        if (values.Count == 1 && values[0] is "")
        {
            values.Clear();
        }
    }

    private static bool Same(object? a, object? b) => (a, b) switch
    {
        (double x, double y) => x.Equals(y) || Math.Abs(x - y) <= 1e-9 * Math.Max(Math.Abs(x), Math.Abs(y)),
        (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
        _ => Equals(a, b),
    };

    private static string Describe(object? value) => value switch
    {
        double => "a number",
        string s => $"text of {s.Length} chars",
        _ => "other",
    };

    private static byte[] Binary(JsonObject element) =>
        element["InlineBinary"] is { } b ? Convert.FromBase64String(b.GetValue<string>()) : [];

    private static int SwapUnit(string vr) => vr switch
    {
        "OW" => 2,
        "OF" or "OL" => 4,
        "OD" or "OV" => 8,
        _ => 1,
    };

    private static void Swap(byte[] data, int unit)
    {
        if (unit == 1)
        {
            return;
        }

        for (var i = 0; i + unit <= data.Length; i += unit)
        {
            Array.Reverse(data, i, unit);
        }
    }
}
