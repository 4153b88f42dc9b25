using NodeAgent.Federation.Queries;
using NodeAgent.Federation.V1;
using NodeAgent.Index.Counting;

namespace NodeAgent.Federation.Tests;

public sealed class QueryTests
{
    internal static Query Eucaim(string json) => new() { EucaimAstJson = json };

    internal static V1.Criterion Set(string field, params string[] values)
    {
        var set = new ValueSet { Field = field };
        set.Values.AddRange(values);
        return new V1.Criterion { InSet = set };
    }

    internal static V1.Criterion Range(string field, long? min, long? max)
    {
        var range = new V1.Range { Field = field };
        if (min is { } a)
        {
            range.Min = a;
        }

        if (max is { } b)
        {
            range.Max = b;
        }

        return new V1.Criterion { InRange = range };
    }

    internal static V1.Criterion And(params V1.Criterion[] items)
    {
        var all = new Criteria();
        all.Items.AddRange(items);
        return new V1.Criterion { AllOf = all };
    }

    internal static V1.Criterion Or(params V1.Criterion[] items)
    {
        var any = new Criteria();
        any.Items.AddRange(items);
        return new V1.Criterion { AnyOf = any };
    }

    private static string Canonical(V1.Criterion criterion) => CanonicalQuery.Of(QueryTranslator.Translate(new Query { Criterion = criterion })).Text;

    [Test]
    public void Unknown_fields_wrong_values_and_bad_ranges_are_each_refused_by_where_they_are()
    {
        var query = new Query { Criterion = And(Set("diagnosis", "C61"), Set("sex", "X"), Range("age", 70, 50), Set("age", "5"), Range("studydate", 20201340, null)) };
        var e = Assert.Throws<QueryRejectedException>(() => QueryTranslator.Translate(query))!;
        Assert.That(e.Violations.Select(v => v.Path), Is.EqualTo(new[]
        {
            "criterion.all_of.items[0].in_set.field",
            "criterion.all_of.items[1].in_set.values[0]",
            "criterion.all_of.items[2].in_range",
            "criterion.all_of.items[3].in_set.field",
            "criterion.all_of.items[4].in_range",
        }));
        Assert.Multiple(() =>
        {
            Assert.That(e.Violations[0].Description, Does.Contain("unknown field 'diagnosis'"));
            Assert.That(e.Violations[1].Description, Does.Contain("'X' is not a value of sex; its values are M, F, O"));
            Assert.That(e.Violations[2].Description, Does.Contain("min is above max"));
            Assert.That(e.Violations[3].Description, Does.Contain("numeric: use in_range"));
            Assert.That(e.Violations[4].Description, Does.Contain("yyyymmdd"));
        });
    }

    [Test]
    public void Deep_or_huge_queries_are_refused_and_no_query_means_everything()
    {
        var deep = Set("modality", "CT");
        for (var i = 0; i < 40; i++)
        {
            deep = new V1.Criterion { Not = deep };
        }

        var wide = Or(Enumerable.Range(0, 300).Select(i => Set("modality", "M" + i)).ToArray());
        Assert.Multiple(() =>
        {
            Assert.That(() => QueryTranslator.Translate(new Query { Criterion = deep }), Throws.TypeOf<QueryRejectedException>().With.Message.Contains("nested more than"));
            Assert.That(() => QueryTranslator.Translate(new Query { Criterion = wide }), Throws.TypeOf<QueryRejectedException>().With.Message.Contains("more than 256 parts"));
            Assert.That(() => QueryTranslator.Translate(new Query { Criterion = new V1.Criterion() }), Throws.TypeOf<QueryRejectedException>().With.Message.Contains("an empty criterion"));
            Assert.That(QueryTranslator.Translate(null), Is.EqualTo(Index.Counting.Criterion.All));
        });
    }

    [Test]
    public void Equivalent_queries_are_one_canonical_query_and_different_ones_are_not()
    {
        var a = Canonical(And(Set("modality", "mr", "CT"), Range("age", 50, 70), And(Set("sex", "M"))));
        var b = Canonical(And(And(Range("age", 50, 70)), Set("sex", "m"), Set("modality", "CT", "MR", "CT")));
        var c = Canonical(And(Or(Set("modality", "CT"), Set("modality", "MR")), Range("age", 50, 70), Set("sex", "M")));
        var d = Canonical(And(Set("modality", "CT", "MR"), Range("age", 50, 71), Set("sex", "M")));
        var notNot = Canonical(new V1.Criterion { Not = new V1.Criterion { Not = Set("sex", "F") } });
        Assert.Multiple(() =>
        {
            Assert.That(a, Is.EqualTo("and(in(modality:CT,MR),in(sex:M),range(age:50..70))"));
            Assert.That(b, Is.EqualTo(a));
            Assert.That(c, Is.EqualTo(a), "an or of sets of one field is one set");
            Assert.That(d, Is.Not.EqualTo(a));
            Assert.That(notNot, Is.EqualTo("in(sex:F)"));
            Assert.That(Canonical(Range("age", 0, 60)), Is.EqualTo(Canonical(Range("age", null, 60))), "a bound at the field's limit is no bound");
            Assert.That(Canonical(Set("manufacturer", "A,B")), Is.Not.EqualTo(Canonical(Set("manufacturer", "A", "B"))), "separators in values cannot make two queries alike");
        });
    }

    [Test]
    public void The_eucaim_ast_maps_onto_our_fields()
    {
        const string Lens = """
            {"id":"7d8e3c1a-0000-4000-8000-000000000000","ast":{"operand":"AND","children":[
              {"operand":"OR","children":[{"key":"RID10311","type":"EQUALS","value":"RID10312"},{"key":"RID10311","type":"EQUALS","value":"RID10321"}]},
              {"operand":"OR","children":[{"key":"SNOMEDCT123037004","type":"EQUALS","value":"SNOMEDCT41216001"}]},
              {"operand":"OR","children":[{"key":"SNOMEDCT263495000","type":"IN","value":["SNOMEDCT248153007"]}]},
              {"key":"SNOMEDCT423493009","type":"BETWEEN","value":{"min":50,"max":70}},
              {"key":"C25392","type":"NOT_EQUALS","value":"birnlex_3065"},
              {"key":"SNOMEDCT423493009","type":"LOWER_THAN","value":80}]}}
            """;
        var canonical = CanonicalQuery.Of(QueryTranslator.Translate(Eucaim(Lens))).Text;
        Assert.That(canonical, Is.EqualTo("and(in(bodypart:PROSTATE),in(modality:CT,MR),in(sex:M),not(in(manufacturer:PHILIPS,PHILIPS HEALTHCARE,PHILIPS MEDICAL SYSTEMS)),range(age:*..79),range(age:50..70))"));
    }

    [TestCase("""{"operand":"AND","children":[{"key":"SNOMEDCT439401001","type":"EQUALS","value":"SNOMEDCT399068003"}]}""", "key", "'SNOMEDCT439401001' cannot be evaluated here: diagnosis is not in DICOM headers")]
    [TestCase("""{"operand":"AND","children":[{"key":"SNOMEDCT999","type":"EQUALS","value":"x"}]}""", "key", "unknown key 'SNOMEDCT999'")]
    [TestCase("""{"operand":"AND","children":[{"key":"RID10311","type":"EQUALS","value":"RID99999"}]}""", "value", "the code 'RID99999' is not one this node can evaluate")]
    [TestCase("""{"operand":"AND","children":[{"key":"RID10311","type":"CONTAINS","value":"M"}]}""", "type", "'CONTAINS' with this value cannot be evaluated")]
    [TestCase("""{"operand":"AND","children":[{"key":"SNOMEDCT263495000","type":"EQUALS","value":"SNOMEDCT261665006"}]}""", "value", "SNOMEDCT261665006")]
    [TestCase("""{"operand":"XOR","children":[]}""", "operand", "AND or OR")]
    [TestCase("""{"operand":"AND","children":[{"key":"SNOMEDCT423493009","type":"BETWEEN","value":{"min":"old"}}]}""", "children[0]", "cannot be evaluated for age")]
    [TestCase("""not json""", "eucaim_ast_json", "not JSON")]
    [TestCase("""{"operand":"AND","children":[{"key":"SNOMEDCT423493009","type":"BETWEEN","value":{"min":200,"max":60}}]}""", "children[0]", "cannot be evaluated for age")]
    [TestCase("""{"operand":"AND","children":[{"key":"SNOMEDCT423493009","type":"BETWEEN","value":{"min":49.5,"max":60}}]}""", "children[0]", "cannot be evaluated for age")]
    [TestCase("""{"operand":"AND","children":[{"key":"SNOMEDCT423493009","type":"BETWEEN","value":{"min":70,"max":50}}]}""", "children[0]", "cannot be evaluated for age")]
    public void Eucaim_conditions_that_cannot_be_evaluated_are_refused_by_name_never_dropped(string json, string path, string message)
    {
        var e = Assert.Throws<QueryRejectedException>(() => QueryTranslator.Translate(Eucaim(json)))!;
        Assert.That(e.Violations, Has.Some.Matches<QueryViolation>(v => v != null && v.Path.Contains(path, StringComparison.Ordinal) && v.Description.Contains(message, StringComparison.Ordinal)), e.Message);
    }

    [Test]
    public void Malformed_and_oversized_eucaim_input_is_refused_cleanly()
    {
        var random = new Random(5);
        const string Sample = """{"operand":"AND","children":[{"key":"RID10311","type":"IN","value":["RID10312","RID10321"]},{"key":"SNOMEDCT423493009","type":"BETWEEN","value":{"min":1,"max":2}}]}""";
        for (var i = 0; i < 3000; i++)
        {
            var chars = Sample.ToCharArray();
            for (var m = 0; m < 1 + random.Next(4); m++)
            {
                chars[random.Next(chars.Length)] = "{}[]\",:0aZ\\ "[random.Next(12)];
            }

            try
            {
                QueryTranslator.Translate(Eucaim(new string(chars)));
            }
            catch (QueryRejectedException)
            {
                // Refused with a reason: fine.
            }
        }

        var huge = "{\"operand\":\"AND\",\"children\":[" + string.Join(",", Enumerable.Repeat("""{"key":"RID10311","type":"EQUALS","value":"RID10312"}""", 2000)) + "]}";
        Assert.That(() => QueryTranslator.Translate(Eucaim(huge)), Throws.TypeOf<QueryRejectedException>().With.Message.Contains("larger than"));
        var deep = string.Concat(Enumerable.Repeat("{\"operand\":\"AND\",\"children\":[", 200)) + string.Concat(Enumerable.Repeat("]}", 200));
        Assert.That(() => QueryTranslator.Translate(Eucaim(deep)), Throws.TypeOf<QueryRejectedException>());
    }
}
