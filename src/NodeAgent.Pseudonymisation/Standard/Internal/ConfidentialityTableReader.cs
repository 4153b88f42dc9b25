using System.Text.Json;

namespace NodeAgent.Pseudonymisation.Standard.Internal;

/// <summary>Reads Table E.1-1 from the innolitics JSON rendering of the standard (one object per row).</summary>
internal static class ConfidentialityTableReader
{
    // The JSON's column names for the options of PS3.15 E.3.
    private static readonly (string Column, ConfidentialityOption Option)[] OptionColumns =
    [
        ("rtnSafePrivOpt", ConfidentialityOption.RetainSafePrivate),
        ("rtnUIDsOpt", ConfidentialityOption.RetainUids),
        ("rtnDevIdOpt", ConfidentialityOption.RetainDeviceIdentity),
        ("rtnInstIdOpt", ConfidentialityOption.RetainInstitutionIdentity),
        ("rtnPatCharsOpt", ConfidentialityOption.RetainPatientCharacteristics),
        ("rtnLongFullDatesOpt", ConfidentialityOption.RetainLongitudinalTemporalInformationFullDates),
        ("rtnLongModifDatesOpt", ConfidentialityOption.RetainLongitudinalTemporalInformationModifiedDates),
        ("cleanDescOpt", ConfidentialityOption.CleanDescriptors),
        ("cleanStructContOpt", ConfidentialityOption.CleanStructuredContent),
        ("cleanGraphOpt", ConfidentialityOption.CleanGraphics),
    ];

    public static ConfidentialityProfileTable ReadEmbedded()
    {
        using var stream = typeof(ConfidentialityTableReader).Assembly.GetManifestResourceStream("E.1-1.json")
            ?? throw new InvalidOperationException("Table E.1-1 is not embedded in this assembly.");
        return Read(stream);
    }

    public static ConfidentialityProfileTable Read(Stream json)
    {
        using var document = JsonDocument.Parse(json);
        var rules = new List<ConfidentialityRule>();
        foreach (var row in document.RootElement.EnumerateArray())
        {
            var name = row.GetProperty("name").GetString() ?? "";
            var tag = row.GetProperty("tag").GetString() ?? "";
            var basic = ConfidentialityActionCodes.Parse(row.GetProperty("basicProfile").GetString() ?? "");
            var options = new Dictionary<ConfidentialityOption, ConfidentialityAction>();
            foreach (var (column, option) in OptionColumns)
            {
                if (row.TryGetProperty(column, out var value) && value.GetString() is { Length: > 0 } code)
                {
                    options[option] = ConfidentialityActionCodes.Parse(code);
                }
            }

            rules.Add(new ConfidentialityRule(name, tag, basic, options));
        }

        return new ConfidentialityProfileTable(rules);
    }
}
