using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Counting;

namespace NodeAgent.Index.Tests;

/// <summary>Random series records and random criteria trees, for checking the engine against a plain evaluation.</summary>
internal static class RandomCatalogue
{
    private static readonly string[] Modalities = ["CT", "MR", "PT", "US", "CR", "MG", "SEG"];
    private static readonly string[] BodyParts = ["CHEST", "PROSTATE", "BRAIN", "ABDOMEN", "BREAST"];
    private static readonly string[] Sexes = ["M", "F", "O"];
    private static readonly string[] Manufacturers = ["SIEMENS", "GE MEDICAL SYSTEMS", "Philips", "Canon"];

    public static List<SeriesRecord> Records(Random random, int count, int patients, int studiesPerPatient)
    {
        var records = new List<SeriesRecord>(count);
        for (var i = 0; i < count; i++)
        {
            var patient = random.Next(patients);
            var study = (patient * studiesPerPatient) + random.Next(studiesPerPatient);
            records.Add(new SeriesRecord
            {
                Id = "src|" + i,
                Source = "src",
                SeriesInstanceUid = "2.25." + i,
                StudyInstanceUid = "2.25.9" + study,
                PatientKey = "P" + patient,
                Modality = Pick(random, Modalities),
                BodyPart = random.Next(10) == 0 ? null : Pick(random, BodyParts),
                Sex = Pick(random, Sexes),
                AgeYears = random.Next(20) == 0 ? null : random.Next(0, 100),
                StudyDate = random.Next(20) == 0 ? null : 20100101 + (random.Next(0, 13) * 10000) + (random.Next(1, 13) * 100) + random.Next(1, 28),
                Manufacturer = random.Next(2) == 0 ? Pick(random, Manufacturers) : Pick(random, Manufacturers).ToLowerInvariant(),
                Instances = random.Next(1, 400),
            });
        }

        return records;
    }

    public static Criterion Criterion(Random random, int depth = 0)
    {
        var roll = depth >= 3 ? random.Next(3, 7) : random.Next(7);
        return roll switch
        {
            0 => new AllOf(Enumerable.Range(0, random.Next(0, 4)).Select(_ => Criterion(random, depth + 1)).ToList()),
            1 => new AnyOf(Enumerable.Range(0, random.Next(0, 4)).Select(_ => Criterion(random, depth + 1)).ToList()),
            2 => new NoneOf(Criterion(random, depth + 1)),
            3 => new InSet(CatalogueField.Modality, Enumerable.Range(0, random.Next(1, 3)).Select(_ => Pick(random, Modalities)).Append("XX").ToList()),
            4 => new InSet(random.Next(2) == 0 ? CatalogueField.Sex : CatalogueField.Manufacturer, [random.Next(2) == 0 ? Pick(random, Sexes) : Pick(random, Manufacturers)]),
            5 => new InRange(CatalogueField.Age, random.Next(3) == 0 ? null : random.Next(0, 60), random.Next(3) == 0 ? null : random.Next(40, 100)),
            _ => new InRange(random.Next(2) == 0 ? CatalogueField.StudyDate : CatalogueField.StudyYear, random.Next(2) == 0 ? null : 20150101, random.Next(2) == 0 ? null : 2020),
        };
    }

    private static string Pick(Random random, string[] values) => values[random.Next(values.Length)];
}
