using NodeAgent.Index.Counting;
using V1 = NodeAgent.Federation.V1;

namespace NodeAgent.Federation.Queries;

/// <summary>
/// Turns a query of the contract (our criteria tree, or the EUCAIM AST) into a catalogue criterion,
/// checking every field and value against the allow-list and the size limits. Every problem is
/// collected and reported at once.
/// </summary>
public static class QueryTranslator
{
    /// <summary>Deeper trees are refused: no real query needs them, and they cost stack.</summary>
    public const int MaxDepth = 16;

    /// <summary>More tests than this in one query are refused.</summary>
    public const int MaxNodes = 256;

    public const int MaxValuesPerSet = 100;

    public const int MaxValueLength = 64;

    /// <exception cref="QueryRejectedException">Something in the query cannot be evaluated.</exception>
    public static Criterion Translate(V1.Query? query)
    {
        if (query is null || query.FormCase == V1.Query.FormOneofCase.None)
        {
            return Criterion.All; // no query: everything
        }

        if (query.FormCase == V1.Query.FormOneofCase.EucaimAstJson)
        {
            return Internal.EucaimAst.Translate(query.EucaimAstJson);
        }

        var violations = new List<QueryViolation>();
        var nodes = 0;
        var result = Translate(query.Criterion, "criterion", 0, ref nodes, violations);
        return violations.Count > 0 ? throw new QueryRejectedException(violations) : result;
    }

    private static Criterion Translate(V1.Criterion? criterion, string path, int depth, ref int nodes, List<QueryViolation> violations)
    {
        if (++nodes > MaxNodes)
        {
            if (nodes == MaxNodes + 1)
            {
                violations.Add(new QueryViolation(path, $"the query has more than {MaxNodes} parts"));
            }

            return Criterion.All;
        }

        if (depth > MaxDepth)
        {
            violations.Add(new QueryViolation(path, $"the query is nested more than {MaxDepth} deep"));
            return Criterion.All;
        }

        switch (criterion?.KindCase ?? V1.Criterion.KindOneofCase.None)
        {
            case V1.Criterion.KindOneofCase.AllOf:
                return new AllOf(Items(criterion!.AllOf, path + ".all_of", depth, ref nodes, violations));
            case V1.Criterion.KindOneofCase.AnyOf:
                return new AnyOf(Items(criterion!.AnyOf, path + ".any_of", depth, ref nodes, violations));
            case V1.Criterion.KindOneofCase.Not:
                return new NoneOf(Translate(criterion!.Not, path + ".not", depth + 1, ref nodes, violations));
            case V1.Criterion.KindOneofCase.InSet:
                return InSet(criterion!.InSet, path + ".in_set", violations);
            case V1.Criterion.KindOneofCase.InRange:
                return InRange(criterion!.InRange, path + ".in_range", violations);
            default:
                violations.Add(new QueryViolation(path, "an empty criterion: give all_of, any_of, not, in_set or in_range"));
                return Criterion.All;
        }
    }

    private static List<Criterion> Items(V1.Criteria criteria, string path, int depth, ref int nodes, List<QueryViolation> violations)
    {
        var items = new List<Criterion>(criteria.Items.Count);
        for (var i = 0; i < criteria.Items.Count; i++)
        {
            items.Add(Translate(criteria.Items[i], $"{path}.items[{i}]", depth + 1, ref nodes, violations));
        }

        return items;
    }

    internal static Criterion InSet(V1.ValueSet set, string path, List<QueryViolation> violations)
    {
        var field = FederationFields.Find(set.Field);
        if (field is null)
        {
            violations.Add(new QueryViolation(path + ".field", $"unknown field '{Shorten(set.Field)}'; the fields are {FederationFields.Names}"));
            return Criterion.All;
        }

        if (field.Kind != FieldKind.Text)
        {
            violations.Add(new QueryViolation(path + ".field", $"'{field.Name}' is numeric: use in_range"));
            return Criterion.All;
        }

        if (set.Values.Count is 0 or > MaxValuesPerSet)
        {
            violations.Add(new QueryViolation(path + ".values", $"give 1 to {MaxValuesPerSet} values"));
            return Criterion.All;
        }

        var values = new List<string>(set.Values.Count);
        for (var i = 0; i < set.Values.Count; i++)
        {
            var value = set.Values[i].Trim().ToUpperInvariant();
            if (value.Length is 0 or > MaxValueLength || !IsPrintableWithoutBackslash(value))
            {
                violations.Add(new QueryViolation($"{path}.values[{i}]", $"a value is 1 to {MaxValueLength} printable characters, without backslash"));
            }
            else if (field.Values is { } allowed && !allowed.Contains(value))
            {
                violations.Add(new QueryViolation($"{path}.values[{i}]", $"'{Shorten(value)}' is not a value of {field.Name}; its values are {string.Join(", ", allowed)}"));
            }
            else
            {
                values.Add(value);
            }
        }

        return new InSet(field.Field, values);
    }

    internal static Criterion InRange(V1.Range range, string path, List<QueryViolation> violations)
    {
        var field = FederationFields.Find(range.Field);
        if (field is null)
        {
            violations.Add(new QueryViolation(path + ".field", $"unknown field '{Shorten(range.Field)}'; the fields are {FederationFields.Names}"));
            return Criterion.All;
        }

        if (field.Kind != FieldKind.Range)
        {
            violations.Add(new QueryViolation(path + ".field", $"'{field.Name}' is text: use in_set"));
            return Criterion.All;
        }

        long? min = range.HasMin ? range.Min : null;
        long? max = range.HasMax ? range.Max : null;
        if (min is null && max is null)
        {
            violations.Add(new QueryViolation(path, "give min, max or both"));
        }
        else if ((min is { } a && (a < field.Min || a > field.Max)) || (max is { } b && (b < field.Min || b > field.Max)))
        {
            violations.Add(new QueryViolation(path, $"{field.Name} bounds lie in {field.Min} to {field.Max}"));
        }
        else if (min > max)
        {
            violations.Add(new QueryViolation(path, "min is above max"));
        }
        else if (field.Field == CatalogueField.StudyDate && ((min is { } from && !IsDate(from)) || (max is { } to && !IsDate(to))))
        {
            violations.Add(new QueryViolation(path, "study dates are yyyymmdd"));
        }

        return new InRange(field.Field, min, max);
    }

    private static bool IsPrintableWithoutBackslash(string value)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c) || c == '\\')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDate(long yyyymmdd) => DateOnly.TryParseExact(yyyymmdd.ToString(System.Globalization.CultureInfo.InvariantCulture), "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _);

    // Echoed values are cut short: a refusal message is not a channel for arbitrary text.
    internal static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "...";
}
