using NodeAgent.Index.Counting;

namespace NodeAgent.Federation.Queries;

/// <summary>
/// The fields a federated query may use, by the names the contract gives them: an allow-list. A
/// field not here is refused, never ignored.
/// </summary>
public static class FederationFields
{
    public static IReadOnlyList<FederationField> All { get; } =
    [
        new("modality", CatalogueField.Modality, FieldKind.Text, Facets: true),
        new("bodypart", CatalogueField.BodyPart, FieldKind.Text, Facets: true),
        new("sex", CatalogueField.Sex, FieldKind.Text, Facets: true, Values: ["M", "F", "O"]),
        new("manufacturer", CatalogueField.Manufacturer, FieldKind.Text, Facets: true),
        new("manufacturermodel", CatalogueField.ManufacturerModel, FieldKind.Text, Facets: true),
        new("age", CatalogueField.Age, FieldKind.Range, Facets: true, Min: 0, Max: 150),
        new("studydate", CatalogueField.StudyDate, FieldKind.Range, Facets: false, Min: 18000101, Max: 29991231),
        new("studyyear", CatalogueField.StudyYear, FieldKind.Range, Facets: true, Min: 1800, Max: 2999),
    ];

    public static FederationField? Find(string name)
    {
        var trimmed = name.AsSpan().Trim();
        foreach (var field in All)
        {
            if (trimmed.Equals(field.Name, StringComparison.OrdinalIgnoreCase))
            {
                return field;
            }
        }

        return null;
    }

    /// <summary>The allow-listed field over a catalogue field; null when it is not one.</summary>
    internal static FederationField? ByField(CatalogueField field)
    {
        foreach (var candidate in All)
        {
            if (candidate.Field == field)
            {
                return candidate;
            }
        }

        return null;
    }

    public static string Names => string.Join(", ", All.Select(f => f.Name));
}

public enum FieldKind
{
    Text,
    Range,
}

/// <summary>One allow-listed field: its name in the contract, the catalogue field, and what values it takes.</summary>
public sealed record FederationField(string Name, CatalogueField Field, FieldKind Kind, bool Facets, IReadOnlyList<string>? Values = null, long Min = long.MinValue, long Max = long.MaxValue);
