using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Counting;
using NodeAgent.Index.Sources;
using NodeAgent.Pseudonymisation.Keys;
using NodeAgent.Testing;
using NodeAgent.Testing.Peers;

namespace NodeAgent.Benchmarks.Peers;

/// <summary>
/// The catalogue against the peers the issue names: folder import of the CT corpus against
/// gdcmscanner scanning the same tree (records per second), and count latency against Orthanc's
/// /tools/find on the same data (the same questions, asked of each).
/// </summary>
internal static class IndexComparison
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static async Task RunAsync(StringBuilder report, string corpus, List<string> files, long bytes, int runs)
    {
        var work = Path.Combine(Path.GetTempPath(), "nodeagent-bench-index");
        Directory.CreateDirectory(work);
        var pseudonyms = new PseudonymGenerator(SiteSecret.FromBytes(new byte[32]));
        var db = Path.Combine(work, "catalogue.db");
        void Clean()
        {
            foreach (var file in Directory.GetFiles(work, "catalogue.db*"))
            {
                File.Delete(file);
            }
        }

        void Import()
        {
            using var catalogue = SiteCatalogue.Open(db);
            var result = new FolderSource("ct", corpus, pseudonyms).Sync(catalogue);
            if (result.Instances != files.Count)
            {
                throw new InvalidOperationException($"Indexed {result.Instances} of {files.Count} files.");
            }
        }

        var tagArgs = HeaderScan.Tags.SelectMany(t => new[] { "-t", $"{t.Group:x4},{t.Element:x4}" }).ToArray();
        var imports = new List<Measurement>
        {
            Measurement.Take("NodeAgent folder import into the catalogue (in process)", runs, files.Count, bytes, Clean, Import),
            Measurement.Take("`nodeagent index --source folder:` (CLI process)", runs, files.Count, bytes, Clean, () => PeerComparison.Run("dotnet", NodeAgentCli.Arguments("index", "--source", "folder:" + corpus, "--db", db, "--secret", Secret(work)))),
            Measurement.Take("gdcmscanner -r with the same 17 tags (GDCM 3.0.21; scan only, nothing stored)", runs, files.Count, bytes, () => { }, () => PeerComparison.Run("gdcmscanner", ["-d", corpus, "-r", .. tagArgs])),
        };
        report.AppendLine("## Catalogue: folder import against gdcmscanner");
        report.AppendLine();
        report.AppendLine("NodeAgent reads each file up to its Pixel Data, aggregates series and writes them to a new LiteDB catalogue; gdcmscanner reads the same tree for the same attributes and prints them.");
        report.AppendLine();
        report.AppendLine("| candidate | median (s) | records (files)/s | runs (s) |");
        report.AppendLine("| --- | ---: | ---: | --- |");
        foreach (var m in imports)
        {
            report.AppendLine(Invariant, $"| {m.Candidate} | {m.Median:F3} | {m.ItemsPerSecond:N0} | {m.Runs} |");
        }

        report.AppendLine();
        report.AppendLine(Invariant, $"In process: {imports[2].Median / imports[0].Median:F1}x the speed of gdcmscanner; as a CLI process: {imports[2].Median / imports[1].Median:F1}x.");
        report.AppendLine();

        Clean();
        Import();
        await CountLatencyAgainstOrthancAsync(report, db, files).ConfigureAwait(false);
        await DimseCrawlAgainstFindscuAsync(report, work, runs).ConfigureAwait(false);
    }

    /// <summary>
    /// The DIMSE crawl of an Orthanc holding about 20,000 small instances, against findscu sending the
    /// same C-FIND requests (the study-level query, then one series-level query per study) over one
    /// association, as the crawl does.
    /// </summary>
    private static async Task DimseCrawlAgainstFindscuAsync(StringBuilder report, string work, int runs)
    {
        var corpus = NodeAgent.Testing.SyntheticCorpus.Get("--files", "20000", "--seed", "20", "--size", "tiny", "--instances", "5-20", "--series", "1-3", "--studies", "1-3", "--jobs", "2");
        await using var orthanc = await OrthancInstance.StartAsync(new OrthancStartOptions { DicomWeb = false }).ConfigureAwait(false);
        var upload = ExternalProcess.Run("env", ["TCP_NODELAY=1", "storescu", "-xy", "-R", "-nh", "+sd", "+r", "-aec", orthanc.AeTitle, "127.0.0.1", orthanc.DicomPort.ToString(Invariant), corpus.Directory], timeout: TimeSpan.FromMinutes(20));
        var statistics = await orthanc.GetJsonAsync("statistics").ConfigureAwait(false);
        var instances = statistics["CountInstances"]!.GetValue<int>();
        var studies = statistics["CountStudies"]!.GetValue<int>();
        if (instances < 19000)
        {
            throw new InvalidOperationException($"Orthanc holds {instances} instances after the upload ({upload.StandardError[..Math.Min(300, upload.StandardError.Length)]}).");
        }

        using var registry = new NodeAgent.Dicom.Network.Client.DicomPeerRegistry();
        var client = new NodeAgent.Dicom.Network.Client.DicomClient(new NodeAgent.Dicom.Network.Client.DicomClientOptions { Host = "127.0.0.1", Port = orthanc.DicomPort, CalledAeTitle = orthanc.AeTitle }, registry);
        var pseudonyms = new PseudonymGenerator(SiteSecret.FromBytes(new byte[32]));
        var db = Path.Combine(work, "crawl.db");
        var range = new NodeAgent.Index.Sources.Internal.DateWindow(new DateOnly(1980, 1, 1), DateOnly.FromDateTime(DateTime.UtcNow));
        void Clean()
        {
            foreach (var file in Directory.GetFiles(work, "crawl.db*"))
            {
                File.Delete(file);
            }
        }

        void Crawl()
        {
            using var catalogue = SiteCatalogue.Open(db);
            var result = new DimseSource("pacs", client, pseudonyms, new DimseSourceOptions { From = range.From, To = range.To }).SyncAsync(catalogue, SyncScope.Full).GetAwaiter().GetResult();
            if (result.Studies != studies)
            {
                throw new InvalidOperationException($"The crawl found {result.Studies} of {studies} studies.");
            }
        }

        // The same requests for findscu, as query files: the study query, then each study's series query.
        Clean();
        Crawl();
        var queries = Path.Combine(work, "queries");
        if (Directory.Exists(queries))
        {
            Directory.Delete(queries, recursive: true);
        }

        Directory.CreateDirectory(queries);
        var paths = new List<string> { Path.Combine(queries, "study.dcm") };
        new NodeAgent.Dicom.DicomFile(DimseSource.StudyQuery(range).Identifier, NodeAgent.Dicom.DicomTransferSyntax.ExplicitVRLittleEndian).Save(paths[0]);
        using (var catalogue = SiteCatalogue.OpenReadOnly(db))
        {
            foreach (var (uid, i) in catalogue.Series().Select(r => r.StudyInstanceUid).Distinct().Select((u, i) => (u, i)))
            {
                var path = Path.Combine(queries, $"series{i:D5}.dcm");
                new NodeAgent.Dicom.DicomFile(DimseSource.SeriesQuery(uid).Identifier, NodeAgent.Dicom.DicomTransferSyntax.ExplicitVRLittleEndian).Save(path);
                paths.Add(path);
            }
        }

        var results = new List<Measurement>
        {
            Measurement.Take("NodeAgent DIMSE crawl into the catalogue (in process)", runs, studies, 0, Clean, Crawl),
            Measurement.Take("`nodeagent index --source dimse://` (CLI process)", runs, studies, 0, Clean, () => PeerComparison.Run("dotnet", NodeAgentCli.Arguments("index", "--source", $"dimse://{orthanc.AeTitle}@127.0.0.1:{orthanc.DicomPort}", "--db", db, "--secret", Secret(work)))),
            Measurement.Take("findscu -S, the same requests on one association (DCMTK 3.6.7, TCP_NODELAY=1; answers not stored)", runs, studies, 0, () => { }, () => PeerComparison.Run("env", ["TCP_NODELAY=1", "findscu", "-S", "-aec", orthanc.AeTitle, "127.0.0.1", orthanc.DicomPort.ToString(Invariant), .. paths])),
        };
        report.AppendLine(Invariant, $"## Catalogue: DIMSE crawl of Orthanc ({instances:N0} instances, {studies:N0} studies) against findscu");
        report.AppendLine();
        report.AppendLine(Invariant, $"{paths.Count:N0} C-FIND requests (one study-level query for all dates, then the series of each study), one association each way.");
        report.AppendLine();
        report.AppendLine("| candidate | median (s) | studies/s | runs (s) |");
        report.AppendLine("| --- | ---: | ---: | --- |");
        foreach (var m in results)
        {
            report.AppendLine(Invariant, $"| {m.Candidate} | {m.Median:F3} | {m.ItemsPerSecond:N0} | {m.Runs} |");
        }

        report.AppendLine();
        report.AppendLine(Invariant, $"In process: {results[2].Median / results[0].Median:F2}x the speed of findscu; as a CLI process: {results[2].Median / results[1].Median:F2}x.");
        report.AppendLine();
    }

    private static string Secret(string work)
    {
        var path = Path.Combine(work, "site.secret");
        SiteSecret.CreateOrLoad(path);
        return path;
    }

    private static async Task CountLatencyAgainstOrthancAsync(StringBuilder report, string db, List<string> files)
    {
        await using var orthanc = await OrthancInstance.StartAsync(new OrthancStartOptions { DicomWeb = false }).ConfigureAwait(false);
        await orthanc.UploadAsync(files).ConfigureAwait(false);
        CountEngine engine;
        using (var catalogue = SiteCatalogue.OpenReadOnly(db))
        {
            engine = CountEngine.Build(catalogue.Series());
        }

        // The same questions of each: studies by year range and sex.
        var questions = new List<(JsonObject Orthanc, Criterion Ours)>();
        foreach (var (from, to) in new[] { (2010, 2014), (2015, 2019), (2020, 2024), (2000, 2030) })
        {
            foreach (var sex in new[] { "F", "M" })
            {
                questions.Add((
                    new JsonObject { ["Level"] = "Study", ["Query"] = new JsonObject { ["StudyDate"] = $"{from}0101-{to}1231", ["PatientSex"] = sex } },
                    new AllOf([new InRange(CatalogueField.StudyYear, from, to), new InSet(CatalogueField.Sex, [sex])])));
            }
        }

        const int Rounds = 25;
        var ours = new List<double>();
        var theirs = new List<double>();
        var mismatches = 0;
        for (var round = -2; round < Rounds; round++)
        {
            foreach (var (orthancQuery, criterion) in questions)
            {
                var watch = Stopwatch.StartNew();
                var answer = await orthanc.PostJsonAsync("tools/find", orthancQuery.DeepClone()).ConfigureAwait(false);
                var orthancCount = answer.AsArray().Count;
                var orthancTime = watch.Elapsed.TotalMilliseconds;
                watch.Restart();
                var ourCount = engine.Count(criterion).Studies;
                var ourTime = watch.Elapsed.TotalMilliseconds;
                mismatches += orthancCount == ourCount ? 0 : 1;
                if (round >= 0)
                {
                    theirs.Add(orthancTime);
                    ours.Add(ourTime);
                }
            }
        }

        static double P(List<double> values, double q)
        {
            var sorted = values.Order().ToList();
            return sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(q * sorted.Count) - 1)];
        }

        report.AppendLine(Invariant, $"## Count latency against Orthanc's /tools/find ({files.Count} CT files, {questions.Count} questions x {Rounds} rounds)");
        report.AppendLine();
        report.AppendLine("Studies by study-year range and sex. Orthanc answers from its SQLite index over HTTP on loopback (the study IDs, counted by the client); NodeAgent from its in-memory engine.");
        report.AppendLine();
        report.AppendLine("| candidate | p50 (ms) | p99 (ms) |");
        report.AppendLine("| --- | ---: | ---: |");
        report.AppendLine(Invariant, $"| NodeAgent count engine | {P(ours, 0.5):F3} | {P(ours, 0.99):F3} |");
        report.AppendLine(Invariant, $"| Orthanc 1.10 /tools/find | {P(theirs, 0.5):F2} | {P(theirs, 0.99):F2} |");
        report.AppendLine();
        report.AppendLine(Invariant, $"Answers that differed between the two: {mismatches} of {questions.Count * (Rounds + 2)}.");
        report.AppendLine();
    }
}
