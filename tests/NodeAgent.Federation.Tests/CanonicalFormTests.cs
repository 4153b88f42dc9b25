using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using NodeAgent.Federation.Queries;
using NodeAgent.Federation.Tests.Reference;
using NodeAgent.Index.Counting;

namespace NodeAgent.Federation.Tests;

/// <summary>
/// The canonical form is pinned to the first implementation (<see cref="ReferenceCanonicalQuery"/>):
/// the same text, hash and tree for random criteria of every shape, from one thread and from many.
/// </summary>
public sealed class CanonicalFormTests
{
    private static readonly CatalogueField[] TextFields = [CatalogueField.Modality, CatalogueField.BodyPart, CatalogueField.Sex, CatalogueField.Manufacturer, CatalogueField.ManufacturerModel];
    private static readonly CatalogueField[] RangeFields = [CatalogueField.Age, CatalogueField.StudyDate, CatalogueField.StudyYear];

    // Case, spacing, separators, the escape character, and letters whose upper case is special.
    private static readonly string[] Values = ["CT", "ct", " MR ", "MR", "PT", "a,b", "a)b", "50%", "%2C", "ß", "ǅ", "ı", "i", "Ü", "\u00a0x", "x\t", "SIEMENS", "siemens healthineers", "(", ":", "..", "*"];

    internal static Criterion Random(Random random, int depth)
    {
        var kind = depth >= 4 ? random.Next(3, 5) : random.Next(0, 5);
        switch (kind)
        {
            case 0:
            case 1:
                var items = Enumerable.Range(0, random.Next(0, 5)).Select(_ => Random(random, depth + 1)).ToList();
                return kind == 0 ? new AllOf(items) : new AnyOf(items);
            case 2:
                return new NoneOf(Random(random, depth + 1));
            case 3:
                // Few fields and values, so that duplicates and mergeable sets are common.
                var field = TextFields[random.Next(random.Next(2) == 0 ? 2 : TextFields.Length)];
                return new InSet(field, Enumerable.Range(0, random.Next(1, 5)).Select(_ => Values[random.Next(random.Next(2) == 0 ? 4 : Values.Length)]).ToList());
            default:
                var range = RangeFields[random.Next(RangeFields.Length)];
                var limits = FederationFields.All.Single(f => f.Field == range);
                long? Bound() => random.Next(4) switch
                {
                    0 => null,
                    1 => limits.Min,
                    2 => limits.Max,
                    _ => limits.Min + random.Next(3),
                };
                return new InRange(range, Bound(), Bound());
        }
    }

    /// <summary>Everything of a tree, list types included: equal shapes are interchangeable trees.</summary>
    internal static string Shape(Criterion criterion) => criterion switch
    {
        AllOf all => $"AllOf<{all.Items.GetType().Name}>[{string.Join(";", all.Items.Select(Shape))}]",
        AnyOf any => $"AnyOf<{any.Items.GetType().Name}>[{string.Join(";", any.Items.Select(Shape))}]",
        NoneOf none => $"NoneOf[{Shape(none.Item)}]",
        InSet set => $"InSet<{set.Values.GetType().Name}>({set.Field}|{string.Join("|", set.Values.Select(v => v.Length.ToString(CultureInfo.InvariantCulture) + ":" + v))})",
        InRange range => $"InRange({range.Field}|{range.Min?.ToString(CultureInfo.InvariantCulture) ?? "null"}|{range.Max?.ToString(CultureInfo.InvariantCulture) ?? "null"})",
        _ => throw new ArgumentException(criterion.GetType().Name),
    };

    private static string? Difference(Criterion criterion)
    {
        var expected = ReferenceCanonicalQuery.Of(criterion);
        var actual = CanonicalQuery.Of(criterion);
        if (!string.Equals(actual.Text, expected.Text, StringComparison.Ordinal))
        {
            return $"text {actual.Text} for {expected.Text}";
        }

        if (!string.Equals(actual.Hash, expected.Hash, StringComparison.Ordinal))
        {
            return $"hash {actual.Hash} for {expected.Hash} of {expected.Text}";
        }

        return Shape(actual.Criterion) == Shape(expected.Criterion) ? null : $"tree {Shape(actual.Criterion)} for {Shape(expected.Criterion)}";
    }

    [Test]
    public void Random_criteria_have_the_reference_text_hash_and_tree()
    {
        var random = new Random(11);
        var differences = Enumerable.Range(0, 20_000).Select(_ => Difference(Random(random, 0))).OfType<string>().Take(5).ToList();
        Assert.That(differences, Is.Empty);
    }

    [Test]
    public void Edge_shapes_have_the_reference_text_hash_and_tree()
    {
        var ct = new InSet(CatalogueField.Modality, ["CT"]);
        var mr = new InSet(CatalogueField.Modality, ["mr"]);
        var age = new InRange(CatalogueField.Age, 0, 150);
        Criterion[] cases =
        [
            Criterion.All,
            new AnyOf([]),
            new AllOf([new AllOf([])]),
            new AnyOf([new AllOf([])]),
            new AllOf([new NoneOf(new NoneOf(new AllOf([ct, age])))]),
            new AnyOf([new NoneOf(new NoneOf(new AnyOf([ct, mr])))]),
            new NoneOf(new NoneOf(new NoneOf(ct))),
            new AnyOf([ct, new AnyOf([mr, new InSet(CatalogueField.Sex, ["f"]), new InSet(CatalogueField.Sex, ["M", "f"])]), ct]),
            new AnyOf([new AllOf([ct]), ct]),
            new AllOf([ct, new AllOf([ct, mr]), new AnyOf([ct])]),
            new InSet(CatalogueField.Manufacturer, [new string('x', 3000) + "," + new string('é', 2000)]),
            new AllOf(Enumerable.Range(0, 300).Select(i => (Criterion)new InSet(CatalogueField.ManufacturerModel, ["M" + (i % 150).ToString(CultureInfo.InvariantCulture)])).ToList()),
        ];
        Assert.That(cases.Select(Difference).OfType<string>(), Is.Empty);
    }

    [Test]
    public void Many_threads_canonicalising_at_once_get_the_reference_hashes()
    {
        var wrong = new ConcurrentBag<string>();
        var threads = Enumerable.Range(0, 16).Select(t => new Thread(() =>
        {
            var random = new Random(t);
            for (var i = 0; i < 1500; i++)
            {
                try
                {
                    if (Difference(Random(random, 0)) is { } difference)
                    {
                        wrong.Add(difference);
                    }
                }
                catch (Exception e)
                {
                    wrong.Add(e.GetType().Name);
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.That(wrong, Is.Empty);
    }
}
