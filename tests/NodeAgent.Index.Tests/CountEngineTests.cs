using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Counting;

namespace NodeAgent.Index.Tests;

public sealed class CountEngineTests
{
    private static bool Matches(SeriesRecord r, Criterion c) => c switch
    {
        AllOf all => all.Items.All(i => Matches(r, i)),
        AnyOf any => any.Items.Any(i => Matches(r, i)),
        NoneOf not => !Matches(r, not.Item),
        InSet set => Text(r, set.Field) is { } value && set.Values.Any(v => string.Equals(v.Trim(), value.Trim(), StringComparison.OrdinalIgnoreCase)),
        InRange range => Number(r, range.Field) is { } n && n >= (range.Min ?? long.MinValue) && n <= (range.Max ?? long.MaxValue),
        _ => throw new ArgumentException("unknown criterion"),
    };

    private static string? Text(SeriesRecord r, CatalogueField field) => field switch
    {
        CatalogueField.Modality => r.Modality,
        CatalogueField.BodyPart => r.BodyPart,
        CatalogueField.Sex => r.Sex,
        CatalogueField.Manufacturer => r.Manufacturer,
        _ => r.ManufacturerModel,
    };

    private static long? Number(SeriesRecord r, CatalogueField field) => field switch
    {
        CatalogueField.Age => r.AgeYears,
        CatalogueField.StudyDate => r.StudyDate,
        _ => r.StudyDate / 10000,
    };

    [Test]
    public void Counts_at_every_level_equal_a_plain_evaluation_for_random_queries()
    {
        var random = new Random(42);
        AssertCountsMatchPlainEvaluation(random, RandomCatalogue.Records(random, 5000, patients: 300, studiesPerPatient: 4));
    }

    [Test]
    public void Counts_equal_a_plain_evaluation_when_studies_are_filed_under_two_patient_keys()
    {
        // One series in ten of a study moved to another patient key (an issuer of IDs on some series
        // only): the study's rows are no longer one run, and it must still count once.
        var random = new Random(7);
        var records = RandomCatalogue.Records(random, 5000, patients: 300, studiesPerPatient: 4);
        foreach (var record in records.Where((_, i) => i % 10 == 0))
        {
            record.PatientKey = "OTHER-ISSUER-" + random.Next(50);
        }

        AssertCountsMatchPlainEvaluation(random, records);
    }

    [Test]
    public void Counts_equal_a_plain_evaluation_when_patients_and_studies_span_many_words()
    {
        // 250 series a patient, about 125 a study: runs cross 64-row words, so a match in one word
        // must carry into the next.
        var random = new Random(11);
        AssertCountsMatchPlainEvaluation(random, RandomCatalogue.Records(random, 5000, patients: 20, studiesPerPatient: 2));
    }

    [Test]
    public void Counts_equal_a_plain_evaluation_with_wide_columns()
    {
        // More distinct study dates than two-byte codes hold, and instance counts beyond two bytes:
        // the wide paths, end to end (the column tests take each width to its limits).
        var random = new Random(13);
        var records = RandomCatalogue.Records(random, 70_000, patients: 5000, studiesPerPatient: 3);
        foreach (var record in records)
        {
            record.StudyDate = record.StudyDate is null ? null : 20150101 + random.Next(0, 120_000);
            record.Instances = random.Next(3) == 0 ? random.Next(65_536, 1_000_000) : random.Next(1, 400);
        }

        AssertCountsMatchPlainEvaluation(random, records, queries: 40);
    }

    private static void AssertCountsMatchPlainEvaluation(Random random, List<SeriesRecord> records, int queries = 300)
    {
        var engine = CountEngine.Build(records);
        for (var i = 0; i < queries; i++)
        {
            var criterion = RandomCatalogue.Criterion(random);
            var matching = records.Where(r => Matches(r, criterion)).ToList();
            var expected = new CountResult(
                matching.Select(r => r.PatientKey).Distinct().Count(),
                matching.Select(r => r.StudyInstanceUid).Distinct().Count(),
                matching.Count,
                matching.Sum(r => (long)r.Instances));
            Assert.That(engine.Count(criterion), Is.EqualTo(expected), criterion.ToString());
        }
    }

    [Test]
    public void Facets_group_the_matching_records_by_value()
    {
        var random = new Random(7);
        var records = RandomCatalogue.Records(random, 2000, patients: 100, studiesPerPatient: 3);
        var engine = CountEngine.Build(records);
        var criterion = new InRange(CatalogueField.Age, 30, 70);
        var facets = engine.Facets(CatalogueField.Manufacturer, criterion);
        var matching = records.Where(r => Matches(r, criterion)).ToList();
        var expected = matching.GroupBy(r => r.Manufacturer!.ToUpperInvariant()).ToDictionary(g => g.Key, g => g.Select(r => r.StudyInstanceUid).Distinct().Count());
        Assert.Multiple(() =>
        {
            Assert.That(facets.ToDictionary(f => f.Value, f => (int)f.Count.Studies), Is.EquivalentTo(expected), "case-insensitive values group together");
            Assert.That(facets.Sum(f => f.Count.Series), Is.EqualTo(matching.Count));
            Assert.That(facets.Select(f => f.Count.Series), Is.Ordered.Descending);
        });
    }

    [Test]
    public void An_empty_catalogue_and_unknown_values_count_zero()
    {
        var empty = CountEngine.Build([]);
        Assert.That(empty.Count(Criterion.All), Is.EqualTo(new CountResult(0, 0, 0, 0)));
        var engine = CountEngine.Build(RandomCatalogue.Records(new Random(1), 70, 5, 2));
        Assert.Multiple(() =>
        {
            Assert.That(engine.Count(new InSet(CatalogueField.Modality, ["NOPE"])).Series, Is.Zero);
            Assert.That(engine.Count(new AnyOf([])).Series, Is.Zero);
            Assert.That(engine.Count(new NoneOf(new AnyOf([]))).Series, Is.EqualTo(70), "the complement stops at the last record");
            Assert.That(() => engine.Count(new InRange(CatalogueField.Modality, 1, 2)), Throws.ArgumentException.With.Message.Contains("not a numeric field"));
        });
    }

    [Test]
    public void A_study_filed_under_two_patient_keys_counts_once()
    {
        SeriesRecord Row(string patient, string study) => new() { PatientKey = patient, StudyInstanceUid = study, Instances = 1 };
        var engine = CountEngine.Build([Row("A", "S1"), Row("B", "S1"), Row("A", "S2")]);
        Assert.That(engine.Count(Criterion.All), Is.EqualTo(new CountResult(2, 2, 3, 3)));
    }

    [Test]
    public void Ranges_below_zero_match_nothing_and_facets_by_day_are_refused()
    {
        var engine = CountEngine.Build(RandomCatalogue.Records(new Random(9), 200, 20, 2));
        Assert.Multiple(() =>
        {
            Assert.That(engine.Count(new InRange(CatalogueField.Age, null, -1)).Series, Is.Zero);
            Assert.That(engine.Count(new InRange(CatalogueField.Age, -10, -5)).Series, Is.Zero);
            Assert.That(engine.Count(new InSet(CatalogueField.Age, ["-3"])).Series, Is.Zero);
            Assert.That(() => engine.Facets(CatalogueField.StudyDate, Criterion.All), Throws.ArgumentException.With.Message.Contains("study year"));
        });
    }

    [Test]
    public void A_series_indexed_from_two_sources_counts_once()
    {
        SeriesRecord Row(string source, int instances) => new() { Source = source, PatientKey = "P", StudyInstanceUid = "S", SeriesInstanceUid = "1.2.3", Instances = instances, Modality = "CT" };
        var engine = CountEngine.Build([Row("pacs", 10), Row("folder", 12)]);
        Assert.That(engine.Count(Criterion.All), Is.EqualTo(new CountResult(1, 1, 1, 12)));
    }
}
