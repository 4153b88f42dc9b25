using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NodeAgent.Federation.Queries;
using NodeAgent.Index.Counting;

namespace NodeAgent.Federation.Tests.Reference;

/// <summary>
/// The canonical form as it was first written (LINQ, each subtree rendered again by every parent,
/// one-shot SHA-256): hashes in ledgers and audit logs assume exactly this text, so the optimised
/// <see cref="CanonicalQuery"/> must give the same text, hash and tree for every criterion.
/// </summary>
internal sealed class ReferenceCanonicalQuery
{
    private ReferenceCanonicalQuery(Criterion criterion, string text)
    {
        Criterion = criterion;
        Text = text;
        Hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    public Criterion Criterion { get; }

    /// <summary>The canonical form as text, as <c>and(in(modality:CT,MR),range(age:50..70))</c>.</summary>
    public string Text { get; }

    /// <summary>SHA-256 of <see cref="Text"/>, hex: what answers and the audit log carry.</summary>
    public string Hash { get; }

    public static ReferenceCanonicalQuery Of(Criterion criterion)
    {
        var normal = Normalise(criterion);
        return new ReferenceCanonicalQuery(normal, Render(normal));
    }

    private static Criterion Normalise(Criterion criterion) => criterion switch
    {
        AllOf all => Group(all.Items, and: true),
        AnyOf any => Group(any.Items, and: false),
        NoneOf { Item: var inner } => Normalise(inner) is NoneOf { Item: var twice } ? twice : new NoneOf(Normalise(inner)),
        InSet set => new InSet(set.Field, set.Values.Select(v => v.Trim().ToUpperInvariant()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList()),
        InRange range => Clamp(range),
        _ => throw new ArgumentException($"Unknown criterion {criterion.GetType().Name}.", nameof(criterion)),
    };

    // A bound at or beyond the field's own limit is no bound: age 0..60 is age *..60.
    private static InRange Clamp(InRange range)
    {
        var field = FederationFields.All.FirstOrDefault(f => f.Field == range.Field);
        return field is null ? range : new InRange(range.Field, range.Min <= field.Min ? null : range.Min, range.Max >= field.Max ? null : range.Max);
    }

    private static Criterion Group(IReadOnlyList<Criterion> items, bool and)
    {
        var flat = new List<Criterion>();
        foreach (var item in items.Select(Normalise))
        {
            switch (item)
            {
                case AllOf inner when and:
                    flat.AddRange(inner.Items);
                    break;
                case AnyOf inner when !and:
                    flat.AddRange(inner.Items);
                    break;
                default:
                    flat.Add(item);
                    break;
            }
        }

        if (!and)
        {
            // a in {x} or a in {y}: a in {x, y}.
            var sets = flat.OfType<InSet>().GroupBy(s => s.Field).Where(g => g.Count() > 1).ToList();
            foreach (var group in sets)
            {
                flat.RemoveAll(c => c is InSet s && s.Field == group.Key);
                flat.Add(Normalise(new InSet(group.Key, group.SelectMany(s => s.Values).ToList())));
            }
        }

        var unique = flat.GroupBy(Render).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => g.First()).ToList();
        return unique.Count == 1 ? unique[0] : and ? new AllOf(unique) : new AnyOf(unique);
    }

    private static string Render(Criterion criterion) => criterion switch
    {
        AllOf all => "and(" + string.Join(",", all.Items.Select(Render)) + ")",
        AnyOf any => "or(" + string.Join(",", any.Items.Select(Render)) + ")",
        NoneOf none => "not(" + Render(none.Item) + ")",
        InSet set => $"in({Name(set.Field)}:{string.Join(",", set.Values.Select(Escape))})",
        InRange range => $"range({Name(range.Field)}:{Bound(range.Min)}..{Bound(range.Max)})",
        _ => throw new ArgumentException($"Unknown criterion {criterion.GetType().Name}.", nameof(criterion)),
    };

    private static string Name(CatalogueField field) => FederationFields.All.First(f => f.Field == field).Name;

    private static string Bound(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "*";

    // Values may hold the separators; escaped so that two different queries never render alike.
    private static string Escape(string value) => value.Replace("%", "%25", StringComparison.Ordinal).Replace(",", "%2C", StringComparison.Ordinal).Replace(")", "%29", StringComparison.Ordinal);
}
