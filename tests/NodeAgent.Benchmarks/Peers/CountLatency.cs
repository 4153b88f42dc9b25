using System.Diagnostics;
using System.Globalization;
using System.Text;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Counting;

namespace NodeAgent.Benchmarks.Peers;

/// <summary>
/// The catalogue's count engine at the scale: 1,000,000 series records (synthetic, with the
/// spread of a large site: 100,000 patients, 3 studies each), random criteria trees over every field,
/// latency per query (p50, p99, max) and the process's memory once the engine is built.
/// </summary>
internal static class CountLatency
{
    private static readonly string[] Modalities = ["CT", "MR", "PT", "US", "CR", "MG", "SEG", "DX", "NM", "XA"];
    private static readonly string[] BodyParts = ["CHEST", "PROSTATE", "BRAIN", "ABDOMEN", "BREAST", "PELVIS", "LIVER", "KIDNEY"];
    private static readonly string[] Manufacturers = ["SIEMENS", "GE MEDICAL SYSTEMS", "PHILIPS", "CANON", "FUJIFILM", "AGFA", "HOLOGIC"];

    public static void Run(StringBuilder report, int seriesCount = 1_000_000, int queries = 2000)
    {
        var random = new Random(2026);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var build = Stopwatch.StartNew();
        var engine = CountEngine.Build(Records(random, seriesCount));
        build.Stop();
        var engineBytes = GC.GetTotalMemory(forceFullCollection: true) - before;
        var workingSet = Process.GetCurrentProcess().WorkingSet64;

        for (var i = 0; i < 200; i++)
        {
            engine.Count(Query(random)); // warm-up: the tiered JIT reaches optimised code, as in the service
        }

        var latencies = new double[queries];
        long checksum = 0;
        for (var i = 0; i < queries; i++)
        {
            var query = Query(random);
            var watch = Stopwatch.StartNew();
            checksum += engine.Count(query).Studies;
            latencies[i] = watch.Elapsed.TotalMilliseconds;
        }

        Array.Sort(latencies);
        double P(double q) => latencies[(int)Math.Min(latencies.Length - 1, Math.Ceiling(q * latencies.Length) - 1)];
        report.AppendLine(CultureInfo.InvariantCulture, $"## Count engine: {seriesCount:N0} series, {queries:N0} random queries");
        report.AppendLine();
        report.AppendLine("Each query is a random and/or/not tree of 1-10 tests over modality, body part, sex, manufacturer, age range and study date range; the result is counted at every level (patients, studies, series, instances).");
        report.AppendLine();
        report.AppendLine("| measure | value |");
        report.AppendLine("| --- | ---: |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| build from records (streamed) | {build.Elapsed.TotalSeconds:F2} s |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| engine size (managed heap growth) | {engineBytes / 1e6:F0} MB |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| process working set with the engine | {workingSet / 1e6:F0} MB |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| latency p50 | {P(0.50):F2} ms |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| latency p99 | {P(0.99):F2} ms |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| latency max | {latencies[^1]:F2} ms |");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Goal of issue 5: p99 under 10 ms, memory under 1 GB. (Checksum of the answers: {checksum}.)");
        report.AppendLine();
    }

    /// <summary>
    /// The same records in a LiteDB catalogue, as the service holds them: how long they take to write,
    /// how long the engine takes to rebuild from the file (what the live engine does after changes), and
    /// the memory of <c>nodeagent run</c> serving that catalogue (the 1 GB goal).
    /// </summary>
    public static void RunCatalogue(StringBuilder report, int seriesCount = 1_000_000)
    {
        var folder = Directory.CreateTempSubdirectory("nodeagent-bench-catalogue-").FullName;
        try
        {
            var path = Path.Combine(folder, "catalogue.db");
            var write = Stopwatch.StartNew();
            WriteCatalogue(path, seriesCount);
            write.Stop();
            var fileBytes = new FileInfo(path).Length;

            var rebuild = Stopwatch.StartNew();
            int rows;
            using (var catalogue = SiteCatalogue.OpenReadOnly(path))
            {
                rows = CountEngine.Build(catalogue.Series()).SeriesCount;
            }

            rebuild.Stop();
            var (startSeconds, rssKb, hwmKb) = ServiceMemory(folder, path, seriesCount);
            report.AppendLine(CultureInfo.InvariantCulture, $"## Catalogue file and service at {seriesCount:N0} series");
            report.AppendLine();
            report.AppendLine("The same synthetic records written to a LiteDB catalogue (batches of 20,000), the count engine rebuilt from the file, and `nodeagent run` (from `dotnet build`, no sources) started on it.");
            report.AppendLine();
            report.AppendLine("| measure | value |");
            report.AppendLine("| --- | ---: |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| write {seriesCount:N0} records | {write.Elapsed.TotalSeconds:F1} s |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| catalogue file | {fileBytes / 1e6:F0} MB |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| engine rebuilt from the file ({rows:N0} rows) | {rebuild.Elapsed.TotalSeconds:F2} s |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| `nodeagent run`: start to engine ready | {startSeconds:F1} s |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| `nodeagent run`: resident memory when ready | {rssKb / 1024.0:F0} MB |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| `nodeagent run`: peak resident memory | {hwmKb / 1024.0:F0} MB |");
            report.AppendLine();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Writes <paramref name="seriesCount"/> synthetic series records to a LiteDB catalogue, in batches of 20,000 as a crawl does.</summary>
    public static void WriteCatalogue(string path, int seriesCount)
    {
        using var catalogue = SiteCatalogue.Open(path);
        var batch = new List<SeriesRecord>(20_000);
        var i = 0;
        foreach (var record in Records(new Random(2026), seriesCount))
        {
            record.Source = "synthetic";
            record.SeriesInstanceUid = "2.25.9" + i.ToString(CultureInfo.InvariantCulture);
            record.Id = SeriesRecord.MakeId(record.Source, record.SeriesInstanceUid);
            batch.Add(record);
            i++;
            if (batch.Count == batch.Capacity)
            {
                catalogue.Upsert(batch);
                batch.Clear();
            }
        }

        catalogue.Upsert(batch);
    }

    private static (double Seconds, long RssKb, long HwmKb) ServiceMemory(string folder, string catalogue, int seriesCount)
    {
        var site = Path.Combine(folder, "site.json");
        File.WriteAllText(site, $$"""{ "NodeAgent": { "Development": true, "Catalogue": { "Path": "{{catalogue}}" } } }""");
        using var service = ServiceProcess.Start(site, [$": {seriesCount} series"]);
        Thread.Sleep(2000); // settled: the host started, nothing else to do
        var (rss, peak) = service.Memory();
        return (service.StartSeconds, rss, peak);
    }

    private static IEnumerable<SeriesRecord> Records(Random random, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var patient = random.Next(100_000);
            var study = (patient * 3) + random.Next(3);
            yield return new SeriesRecord
            {
                PatientKey = "P" + patient.ToString(CultureInfo.InvariantCulture),
                StudyInstanceUid = "2.25." + study.ToString(CultureInfo.InvariantCulture),
                Modality = Modalities[random.Next(Modalities.Length)],
                BodyPart = BodyParts[random.Next(BodyParts.Length)],
                Sex = random.Next(2) == 0 ? "M" : "F",
                AgeYears = random.Next(0, 100),
                StudyDate = 20050101 + (random.Next(0, 20) * 10000) + (random.Next(1, 13) * 100) + random.Next(1, 29),
                Manufacturer = Manufacturers[random.Next(Manufacturers.Length)],
                Instances = random.Next(1, 500),
            };
        }
    }

    private static Criterion Query(Random random, int depth = 0)
    {
        var roll = depth >= 2 ? random.Next(3, 8) : random.Next(8);
        return roll switch
        {
            0 => new AllOf(Enumerable.Range(0, random.Next(1, 4)).Select(_ => Query(random, depth + 1)).ToList()),
            1 => new AnyOf(Enumerable.Range(0, random.Next(1, 4)).Select(_ => Query(random, depth + 1)).ToList()),
            2 => new NoneOf(Query(random, depth + 1)),
            3 => new InSet(CatalogueField.Modality, [Modalities[random.Next(Modalities.Length)], Modalities[random.Next(Modalities.Length)]]),
            4 => new InSet(CatalogueField.BodyPart, [BodyParts[random.Next(BodyParts.Length)]]),
            5 => new InSet(random.Next(2) == 0 ? CatalogueField.Sex : CatalogueField.Manufacturer, [random.Next(2) == 0 ? "F" : Manufacturers[random.Next(Manufacturers.Length)]]),
            6 => new InRange(CatalogueField.Age, random.Next(0, 50), random.Next(50, 100)),
            _ => new InRange(CatalogueField.StudyDate, 20050101 + (random.Next(0, 10) * 10000), 20150101 + (random.Next(0, 10) * 10000)),
        };
    }
}
