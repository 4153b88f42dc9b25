using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using NodeAgent.Federation.Internal;
using NodeAgent.Index.Counting;

namespace NodeAgent.Federation.Queries;

/// <summary>
/// A query in its one canonical form: nested and/or flattened, children sorted and deduplicated,
/// sets of one field under an "or" merged, values upper-cased and sorted, double negation removed.
/// Equivalent queries asked differently are the same query, so they get the same noise and are
/// spent once from a privacy budget.
/// </summary>
public sealed class CanonicalQuery
{
    private static readonly SearchValues<char> Separators = SearchValues.Create("%,)");

    private CanonicalQuery(Criterion criterion, string text)
    {
        Criterion = criterion;
        Text = text;
        Hash = HashOf(text);
    }

    public Criterion Criterion { get; }

    /// <summary>The canonical form as text, as <c>and(in(modality:CT,MR),range(age:50..70))</c>.</summary>
    public string Text { get; }

    /// <summary>SHA-256 of <see cref="Text"/>, hex: what answers and the audit log carry.</summary>
    public string Hash { get; }

    public static CanonicalQuery Of(Criterion criterion)
    {
        var normal = Normalise(criterion);
        return new CanonicalQuery(normal.Criterion, normal.Text);
    }

    /// <summary>
    /// A normalised criterion with its text, rendered once as it is built: children are sorted and
    /// deduplicated by their text, and a parent's text is its children's, so no subtree is rendered
    /// twice. The children of an and/or are kept for a parent of the same kind that flattens them, and
    /// the child of a not for a not around it that cancels it.
    /// </summary>
    private sealed record Normal(Criterion Criterion, string Text, List<Normal>? Items = null, Normal? Negated = null);

    private static Normal Normalise(Criterion criterion) => criterion switch
    {
        AllOf all => Group(all.Items, and: true),
        AnyOf any => Group(any.Items, and: false),
        NoneOf { Item: var inner } => Negate(Normalise(inner)),
        InSet set => Set(set.Field, set.Values),
        InRange range => Clamp(range),
        _ => throw new ArgumentException($"Unknown criterion {criterion.GetType().Name}.", nameof(criterion)),
    };

    // not(not(x)) is x.
    private static Normal Negate(Normal inner) => inner.Negated ?? new Normal(new NoneOf(inner.Criterion), "not(" + inner.Text + ")", Negated: inner);

    private static Normal Set(CatalogueField field, IReadOnlyList<string> raw)
    {
        // Distinct and in ordinal order: sorted, then equal neighbours dropped.
        var values = new List<string>(raw.Count);
        foreach (var value in raw)
        {
            values.Add(value.Trim().ToUpperInvariant());
        }

        values.Sort(StringComparer.Ordinal);
        var kept = 0;
        for (var i = 0; i < values.Count; i++)
        {
            if (kept == 0 || !string.Equals(values[kept - 1], values[i], StringComparison.Ordinal))
            {
                values[kept++] = values[i];
            }
        }

        values.RemoveRange(kept, values.Count - kept);
        var text = new StringBuilder("in(").Append(Name(field)).Append(':');
        for (var i = 0; i < values.Count; i++)
        {
            AppendEscaped(i == 0 ? text : text.Append(','), values[i]);
        }

        return new Normal(new InSet(field, values), text.Append(')').ToString());
    }

    // A bound at or beyond the field's own limit is no bound: age 0..60 is age *..60.
    private static Normal Clamp(InRange range)
    {
        var field = FederationFields.ByField(range.Field);
        var clamped = field is null ? range : new InRange(range.Field, range.Min <= field.Min ? null : range.Min, range.Max >= field.Max ? null : range.Max);
        var text = new DefaultInterpolatedStringHandler(9, 0, CultureInfo.InvariantCulture, stackalloc char[96]);
        text.AppendLiteral("range(");
        text.AppendLiteral(Name(clamped.Field));
        text.AppendLiteral(":");
        AppendBound(ref text, clamped.Min);
        text.AppendLiteral("..");
        AppendBound(ref text, clamped.Max);
        text.AppendLiteral(")");
        return new Normal(clamped, text.ToStringAndClear());
    }

    private static void AppendBound(ref DefaultInterpolatedStringHandler text, long? bound)
    {
        if (bound is { } value)
        {
            text.AppendFormatted(value);
        }
        else
        {
            text.AppendLiteral("*");
        }
    }

    private static Normal Group(IReadOnlyList<Criterion> items, bool and)
    {
        var flat = new List<Normal>(items.Count);
        foreach (var criterion in items)
        {
            var item = Normalise(criterion);
            if (and ? item.Criterion is AllOf : item.Criterion is AnyOf)
            {
                flat.AddRange(item.Items!);
            }
            else
            {
                flat.Add(item);
            }
        }

        if (!and)
        {
            MergeSets(flat);
        }

        // In ordinal order of their text, the first of equal texts kept (a stable sort: few items).
        var unique = new List<Normal>(flat.Count);
        foreach (var item in flat)
        {
            var at = unique.Count;
            while (at > 0 && string.CompareOrdinal(unique[at - 1].Text, item.Text) > 0)
            {
                at--;
            }

            if (at == 0 || !string.Equals(unique[at - 1].Text, item.Text, StringComparison.Ordinal))
            {
                unique.Insert(at, item);
            }
        }

        if (unique.Count == 1)
        {
            return unique[0];
        }

        var criteria = new List<Criterion>(unique.Count);
        var text = new StringBuilder(and ? "and(" : "or(");
        for (var i = 0; i < unique.Count; i++)
        {
            criteria.Add(unique[i].Criterion);
            (i == 0 ? text : text.Append(',')).Append(unique[i].Text);
        }

        return new Normal(and ? new AllOf(criteria) : new AnyOf(criteria), text.Append(')').ToString(), unique);
    }

    // a in {x} or a in {y}: a in {x, y}. The sets of each field that has several, field by field in
    // the order the fields first appear, are replaced by one set at the end.
    private static void MergeSets(List<Normal> flat)
    {
        List<CatalogueField>? fields = null;
        for (var i = 0; i < flat.Count; i++)
        {
            if (flat[i].Criterion is InSet set && fields?.Contains(set.Field) != true && IndexOfSet(flat, set.Field, i + 1) >= 0)
            {
                (fields ??= []).Add(set.Field);
            }
        }

        foreach (var field in fields ?? [])
        {
            var values = new List<string>();
            for (var at = IndexOfSet(flat, field, 0); at >= 0; at = IndexOfSet(flat, field, at))
            {
                values.AddRange(((InSet)flat[at].Criterion).Values);
                flat.RemoveAt(at);
            }

            flat.Add(Set(field, values));
        }
    }

    private static int IndexOfSet(List<Normal> flat, CatalogueField field, int from)
    {
        for (var i = from; i < flat.Count; i++)
        {
            if (flat[i].Criterion is InSet set && set.Field == field)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Name(CatalogueField field) => FederationFields.ByField(field)?.Name ?? throw new InvalidOperationException($"No federation field is {field}.");

    // Values may hold the separators; escaped so that two different queries never render alike.
    private static void AppendEscaped(StringBuilder text, string value)
    {
        if (value.AsSpan().IndexOfAny(Separators) < 0)
        {
            text.Append(value);
            return;
        }

        foreach (var c in value)
        {
            _ = c switch
            {
                '%' => text.Append("%25"),
                ',' => text.Append("%2C"),
                ')' => text.Append("%29"),
                _ => text.Append(c),
            };
        }
    }

    private static string HashOf(string text)
    {
        // SHA-256 of the UTF-8 text, with the per-thread context, from the stack when it fits.
        var most = Encoding.UTF8.GetMaxByteCount(text.Length);
        var rented = most > 1024 ? ArrayPool<byte>.Shared.Rent(most) : null;
        try
        {
            Span<byte> utf8 = rented ?? stackalloc byte[1024];
            var length = Encoding.UTF8.GetBytes(text, utf8);
            Span<byte> digest = stackalloc byte[PerThreadSha256.SizeInBytes];
            PerThreadSha256.Compute(utf8[..length], digest);
            return Convert.ToHexStringLower(digest);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
