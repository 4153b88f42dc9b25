using System.Globalization;
using System.Text.Json;
using NodeAgent.Index.Counting;

namespace NodeAgent.Federation.Queries.Internal;

/// <summary>
/// The EUCAIM federated-search AST (as the Samply Focus agent receives it from the hub): nested
/// AND/OR operations over conditions <c>{key, type, value}</c> with SNOMED CT, RadLex and NCIt codes.
/// Mapped onto our fields; a key, a value code or a condition type we cannot evaluate is refused by
/// name, never dropped (dropping one widens the query and the count is wrong).
/// </summary>
internal static class EucaimAst
{
    public const int MaxJsonBytes = 64 * 1024;

    private const string Sex = "SNOMEDCT263495000";
    private const string Age = "SNOMEDCT423493009";
    private const string Modality = "RID10311";
    private const string BodyPart = "SNOMEDCT123037004";
    private const string Manufacturer = "C25392";

    // Keys seen in EUCAIM queries that the DICOM headers do not carry.
    private static readonly Dictionary<string, string> KnownButNotEvaluable = new(StringComparer.Ordinal)
    {
        ["SNOMEDCT439401001"] = "diagnosis is not in DICOM headers",
        ["SNOMEDCT432213005"] = "year of diagnosis is not in DICOM headers",
    };

    private static readonly Dictionary<string, string[]> SexCodes = new(StringComparer.Ordinal)
    {
        ["SNOMEDCT248153007"] = ["M"],
        ["SNOMEDCT248152002"] = ["F"],
        ["SNOMEDCT74964007"] = ["O"],
    };

    private static readonly Dictionary<string, string[]> ModalityCodes = new(StringComparer.Ordinal)
    {
        ["RID10312"] = ["MR"],
        ["RID10321"] = ["CT"],
        ["RID10337"] = ["PT"],
        ["RID10334"] = ["NM"],
    };

    // Body Part Examined (0018,0015) terms of PS3.16 CID 4031 for the SNOMED CT codes EUCAIM uses.
    private static readonly Dictionary<string, string[]> BodyPartCodes = new(StringComparer.Ordinal)
    {
        ["SNOMEDCT76752008"] = ["BREAST"],
        ["SNOMEDCT71854001"] = ["COLON"],
        ["SNOMEDCT39607008"] = ["LUNG"],
        ["SNOMEDCT12921003"] = ["PELVIS"],
        ["SNOMEDCT41216001"] = ["PROSTATE"],
    };

    // Manufacturer (0008,0070) as the vendors' equipment writes it.
    private static readonly Dictionary<string, string[]> ManufacturerCodes = new(StringComparer.Ordinal)
    {
        ["C200140"] = ["SIEMENS", "SIEMENS HEALTHINEERS"],
        ["birnlex_3066"] = ["SIEMENS", "SIEMENS HEALTHINEERS"],
        ["birnlex_12833"] = ["GE MEDICAL SYSTEMS", "GE HEALTHCARE"],
        ["birnlex_3065"] = ["PHILIPS", "PHILIPS MEDICAL SYSTEMS", "PHILIPS HEALTHCARE"],
        ["birnlex_3067"] = ["TOSHIBA", "TOSHIBA_MEC", "CANON MEDICAL SYSTEMS"],
    };

    /// <exception cref="QueryRejectedException">Not the AST, or something in it cannot be evaluated.</exception>
    public static Criterion Translate(string json)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(json) > MaxJsonBytes)
        {
            throw new QueryRejectedException([new QueryViolation("eucaim_ast_json", $"larger than {MaxJsonBytes / 1024} KiB")]);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = (QueryTranslator.MaxDepth * 2) + 4 });
        }
        catch (JsonException e)
        {
            throw new QueryRejectedException([new QueryViolation("eucaim_ast_json", $"not JSON ({e.Message})")]);
        }

        using (document)
        {
            var root = document.RootElement;

            // The hub sends {id, ast: {...}}; the AST alone is taken too.
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("ast", out var ast))
            {
                root = ast;
            }

            var violations = new List<QueryViolation>();
            var nodes = 0;
            var result = Node(root, "eucaim_ast_json.ast", 0, ref nodes, violations);
            return violations.Count > 0 ? throw new QueryRejectedException(violations) : result;
        }
    }

    private static Criterion Node(JsonElement node, string path, int depth, ref int nodes, List<QueryViolation> violations)
    {
        if (++nodes > QueryTranslator.MaxNodes || depth > QueryTranslator.MaxDepth)
        {
            violations.Add(new QueryViolation(path, $"the query has more than {QueryTranslator.MaxNodes} parts or is nested more than {QueryTranslator.MaxDepth} deep"));
            return Criterion.All;
        }

        if (node.ValueKind != JsonValueKind.Object)
        {
            violations.Add(new QueryViolation(path, "expected an operation {operand, children} or a condition {key, type, value}"));
            return Criterion.All;
        }

        if (node.TryGetProperty("operand", out var operand))
        {
            var op = operand.ValueKind == JsonValueKind.String ? operand.GetString() : null;
            if (op is not ("AND" or "OR"))
            {
                violations.Add(new QueryViolation(path + ".operand", "the operand is AND or OR"));
                return Criterion.All;
            }

            var items = new List<Criterion>();
            if (node.TryGetProperty("children", out var children) && children.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var child in children.EnumerateArray())
                {
                    items.Add(Node(child, $"{path}.children[{i++}]", depth + 1, ref nodes, violations));
                }
            }
            else
            {
                violations.Add(new QueryViolation(path + ".children", "an operation has an array of children"));
            }

            return op == "AND" ? new AllOf(items) : new AnyOf(items);
        }

        return Condition(node, path, violations);
    }

    private static Criterion Condition(JsonElement node, string path, List<QueryViolation> violations)
    {
        var key = Text(node, "key");
        var type = Text(node, "type");
        if (key is null || type is null || !node.TryGetProperty("value", out var value))
        {
            violations.Add(new QueryViolation(path, "a condition has key, type and value"));
            return Criterion.All;
        }

        var keyPath = $"{path}.key";
        if (KnownButNotEvaluable.TryGetValue(key, out var why))
        {
            violations.Add(new QueryViolation(keyPath, $"'{key}' cannot be evaluated here: {why}"));
            return Criterion.All;
        }

        return key switch
        {
            Sex => Coded(CatalogueField.Sex, SexCodes, type, value, path, violations),
            Modality => Coded(CatalogueField.Modality, ModalityCodes, type, value, path, violations),
            BodyPart => Coded(CatalogueField.BodyPart, BodyPartCodes, type, value, path, violations),
            Manufacturer => Coded(CatalogueField.Manufacturer, ManufacturerCodes, type, value, path, violations),
            Age => Numeric(CatalogueField.Age, type, value, path, violations),
            _ => Unknown(keyPath, key, violations),
        };
    }

    private static Criterion Unknown(string path, string key, List<QueryViolation> violations)
    {
        violations.Add(new QueryViolation(path, $"unknown key '{QueryTranslator.Shorten(key)}'; this node evaluates {Sex} (sex), {Age} (age, as age at the study), {Modality} (modality), {BodyPart} (body part) and {Manufacturer} (manufacturer)"));
        return Criterion.All;
    }

    private static Criterion Coded(CatalogueField field, Dictionary<string, string[]> codes, string type, JsonElement value, string path, List<QueryViolation> violations)
    {
        var given = type switch
        {
            "EQUALS" or "NOT_EQUALS" when value.ValueKind == JsonValueKind.String => [value.GetString()!],
            "IN" when value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String) => value.EnumerateArray().Select(v => v.GetString()!).ToList(),
            _ => (List<string>?)null,
        };
        if (given is null)
        {
            violations.Add(new QueryViolation(path + ".type", $"'{QueryTranslator.Shorten(type)}' with this value cannot be evaluated for a coded field; use EQUALS or NOT_EQUALS with a code, or IN with a list of codes"));
            return Criterion.All;
        }

        var values = new List<string>();
        foreach (var code in given)
        {
            if (codes.TryGetValue(code, out var mapped))
            {
                values.AddRange(mapped);
            }
            else
            {
                violations.Add(new QueryViolation(path + ".value", $"the code '{QueryTranslator.Shorten(code)}' is not one this node can evaluate; it knows {string.Join(", ", codes.Keys)}"));
            }
        }

        Criterion set = new InSet(field, values.Distinct(StringComparer.Ordinal).ToList());
        return type == "NOT_EQUALS" ? new NoneOf(set) : set;
    }

    private static Criterion Numeric(CatalogueField field, string type, JsonElement value, string path, List<QueryViolation> violations)
    {
        // Integer years: "lower than 50" is at most 49.
        switch (type)
        {
            case "BETWEEN" when value.ValueKind == JsonValueKind.Object:
                // A bound given but not usable is refused, never dropped (that would widen the range).
                var hasMin = value.TryGetProperty("min", out var minValue) && minValue.ValueKind != JsonValueKind.Null;
                var hasMax = value.TryGetProperty("max", out var maxValue) && maxValue.ValueKind != JsonValueKind.Null;
                var min = hasMin ? Number(minValue) : null;
                var max = hasMax ? Number(maxValue) : null;
                if ((!hasMin && !hasMax) || (hasMin && min is null) || (hasMax && max is null) || min > max)
                {
                    break;
                }

                return new InRange(field, min, max);
            case "LOWER_THAN" when Number(value) is { } below:
                return new InRange(field, null, below - 1);
            case "GREATER_THAN" when Number(value) is { } above:
                return new InRange(field, above + 1, null);
            case "EQUALS" when Number(value) is { } exact:
                return new InRange(field, exact, exact);
        }

        violations.Add(new QueryViolation(path, $"'{QueryTranslator.Shorten(type)}' with this value cannot be evaluated for age; use BETWEEN {{min, max}}, LOWER_THAN, GREATER_THAN or EQUALS with whole years"));
        return Criterion.All;
    }

    private static long? Number(JsonElement value, string? property = null)
    {
        if (property is not null && (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(property, out value)))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt64(out var n) && n is >= 0 and <= 150 => n,
            JsonValueKind.Number when value.TryGetDouble(out var d) && d is >= 0 and <= 150 && d == Math.Floor(d) => (long)d,
            JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s <= 150 => s,
            _ => null,
        };
    }

    private static string? Text(JsonElement node, string property) =>
        node.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
