using System.Text.Json.Nodes;
using NodeAgent.Dicom.Network.Client;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Counting;
using NodeAgent.Index.Scheduling;
using NodeAgent.Index.Sources;
using NodeAgent.Pseudonymisation.Keys;
using NodeAgent.Testing;
using NodeAgent.Testing.Peers;

namespace NodeAgent.IntegrationTests.Index;

/// <summary>
/// The DIMSE crawler against Orthanc capped at 50 C-FIND answers (<c>LimitFindResults</c>), holding a
/// corpus of about 120 studies: every study is still found, the counts equal those of the same files
/// indexed from their folder, a study deleted in Orthanc leaves the catalogue after the next sync, and
/// a new one appears. The same PACS read over DICOMweb gives the same counts.
/// </summary>
[TestFixture]
[Category("Peers")]
public sealed class DimseCrawlPeerTests
{
    private const int Cap = 50;
    private static readonly PseudonymGenerator Pseudonyms = new(SiteSecret.FromBytes(new byte[32]));
    private OrthancInstance _orthanc = null!;
    private DicomPeerRegistry _registry = null!;
    private SyntheticCorpus _corpus = null!;
    private string _root = null!;

    [OneTimeSetUp]
    public async Task StartOrthancWithManyStudies()
    {
        _corpus = SyntheticCorpus.Get("--files", "500", "--seed", "5", "--size", "tiny", "--instances", "1-3", "--series", "1-2", "--studies", "1-3", "--jobs", "2");
        _registry = new DicomPeerRegistry();
        _orthanc = await OrthancInstance.StartAsync(new OrthancStartOptions { DicomWeb = true, ConfigurationOverrides = $$"""{"LimitFindResults": {{Cap}}}""" });
        await _orthanc.UploadAsync(_corpus.Files);
        _root = Directory.CreateTempSubdirectory("nodeagent-dimse-crawl-").FullName;
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_orthanc is not null)
        {
            await _orthanc.DisposeAsync();
        }

        _registry?.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private DimseSource Source() => new(
        "pacs",
        new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = _orthanc.DicomPort, CalledAeTitle = _orthanc.AeTitle }, _registry),
        Pseudonyms);

    [Test]
    public async Task Every_study_is_found_through_the_cap_counts_match_the_folder_and_deletions_and_additions_follow()
    {
        var studiesInOrthanc = (await _orthanc.GetJsonAsync("statistics"))["CountStudies"]!.GetValue<int>();
        Assert.That(studiesInOrthanc, Is.GreaterThan(2 * Cap), "the corpus must be larger than the cap");

        using var catalogue = SiteCatalogue.Open(Path.Combine(_root, "pacs.db"));
        var first = await Source().SyncAsync(catalogue);
        using var folderCatalogue = SiteCatalogue.Open(Path.Combine(_root, "folder.db"));
        new FolderSource("folder", _corpus.Directory, Pseudonyms).Sync(folderCatalogue);
        var fromPacs = CountEngine.Build(catalogue.Series());
        var fromFolder = CountEngine.Build(folderCatalogue.Series());
        Criterion[] queries =
        [
            Criterion.All,
            new InSet(CatalogueField.Modality, ["CT"]),
            new AllOf([new InSet(CatalogueField.Sex, ["F"]), new InRange(CatalogueField.Age, 40, 80)]),
            new InRange(CatalogueField.StudyYear, 2015, 2020),
            new NoneOf(new InSet(CatalogueField.Modality, ["US", "SEG"])),
        ];
        Assert.Multiple(() =>
        {
            Assert.That(first.Splits, Is.GreaterThan(0), "the cap was met and the windows split");
            Assert.That((first.CappedDays, first.CappedStudies), Is.EqualTo((0, 0)));
            Assert.That(first.Studies, Is.EqualTo(studiesInOrthanc));
            Assert.That((catalogue.GetSource("pacs")!.StudiesSeen, catalogue.GetSource("pacs")!.StudiesIndexed), Is.EqualTo((studiesInOrthanc, studiesInOrthanc)), "coverage");
            foreach (var query in queries)
            {
                Assert.That(fromPacs.Count(query), Is.EqualTo(fromFolder.Count(query)), query.ToString());
            }
        });

        var studies = (await _orthanc.GetJsonAsync("studies")).AsArray().Select(s => (string)s!).ToList();
        var victim = await _orthanc.GetJsonAsync("studies/" + studies[0]);
        var victimSeries = victim["Series"]!.AsArray().Count;
        await _orthanc.DeleteAsync("studies/" + studies[0]);
        var second = await Source().SyncAsync(catalogue);
        Assert.That(second.SeriesRemoved, Is.EqualTo(victimSeries));
        Assert.That(CountEngine.Build(catalogue.Series()).Count(Criterion.All).Studies, Is.EqualTo(studiesInOrthanc - 1));

        var deletedUid = (string)victim["MainDicomTags"]!["StudyInstanceUID"]!;
        var deletedFiles = _corpus.Files.Where(f => NodeAgent.Dicom.DicomFile.Open(f, NodeAgent.Dicom.IO.DicomReadOptions.StopBeforePixelData) is var file && file.Dataset.GetString(NodeAgent.Dicom.DicomTags.StudyInstanceUID) == deletedUid && Dispose(file)).ToList();
        await _orthanc.UploadAsync(deletedFiles);
        var third = await Source().SyncAsync(catalogue);
        Assert.That(third.Studies, Is.EqualTo(studiesInOrthanc));
        Assert.That(CountEngine.Build(catalogue.Series()).Count(Criterion.All), Is.EqualTo(fromFolder.Count(Criterion.All)), "the study is back after the next sync");
        Assert.That(catalogue.GetSource("pacs")!.LastError, Is.Null);

        // The same PACS over DICOMweb (QIDO-RS in pages of 20; Orthanc's cap of 50 applies to QIDO too, so by windows): the same counts.
        using var http = new HttpClient();
        using var webCatalogue = SiteCatalogue.Open(Path.Combine(_root, "web.db"));
        var web = await new DicomWebSource("web", http, _orthanc.DicomWebUrl!, Pseudonyms, new DicomWebSourceOptions { PageSize = 20, AnswerCap = Cap }).SyncAsync(webCatalogue);
        var fromWeb = CountEngine.Build(webCatalogue.Series());
        Assert.Multiple(() =>
        {
            Assert.That(web.Studies, Is.EqualTo(studiesInOrthanc));
            Assert.That(web.Splits, Is.GreaterThan(0));
            Assert.That(web.CappedDays, Is.Zero);
            foreach (var query in queries)
            {
                Assert.That(fromWeb.Count(query), Is.EqualTo(fromFolder.Count(query)), "DICOMweb: " + query);
            }
        });
    }

    [Test]
    [Platform(Exclude = "Win", Reason = "kill -9")]
    public async Task A_sync_killed_at_any_moment_loses_and_doubles_nothing_and_the_next_one_completes()
    {
        // The CLI from the same build, run as the service manager would run it, killed with SIGKILL.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var cli = Path.Combine(RepositoryPaths.RepositoryRoot, "src", "NodeAgent", "bin", configuration.Parent!.Name, configuration.Name, "nodeagent.dll");
        Assert.That(File.Exists(cli), Is.True, cli);
        var db = Path.Combine(_root, "killed.db");
        string[] args = [cli, "index", "--source", $"dimse://{_orthanc.AeTitle}@127.0.0.1:{_orthanc.DicomPort}", "--db", db, "--pause-ms", "10"];
        var previous = 0L;
        var windowsDone = 0;
        foreach (var after in new[] { 300, 700, 1100, 1500 })
        {
            using (var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dotnet", args) { RedirectStandardOutput = true, RedirectStandardError = true })!)
            {
                await Task.Delay(after);
                process.Kill(); // SIGKILL: no cleanup, no flush
                await process.WaitForExitAsync();
            }

            if (!File.Exists(db))
            {
                continue; // killed before the catalogue was created
            }

            // Opened as the restarted service would (a writer): a kill in the middle of creating the
            // file leaves it at an earlier schema, which the next writer finishes migrating.
            using var catalogue = SiteCatalogue.Open(db);
            var series = catalogue.Series().ToList();
            Assert.That(series.Select(s => s.SeriesInstanceUid).Distinct().Count(), Is.EqualTo(series.Count), "nothing doubled");
            Assert.That(series.Count, Is.GreaterThanOrEqualTo(previous), "nothing lost: an interrupted sync removes nothing");
            previous = series.Count;

            // Each restart resumes the pass where the kill left it, not from the first window.
            var pass = catalogue.Sources().SingleOrDefault()?.FullPass;
            Assert.That(pass?.WindowsDone ?? 0, Is.GreaterThanOrEqualTo(windowsDone), "the pass resumed");
            windowsDone = pass?.WindowsDone ?? 0;
        }

        var complete = ExternalProcess.Run("dotnet", args, timeout: TimeSpan.FromMinutes(2));
        Assert.That(complete.ExitCode, Is.Zero, complete.StandardError);
        Assert.That(complete.StandardOutput, windowsDone > 0 ? Does.Contain("(resumed)") : Does.Not.Contain("(resumed)"));
        using var folderCatalogue = SiteCatalogue.Open(Path.Combine(_root, "folder-for-kill.db"));
        new FolderSource("folder", _corpus.Directory, Pseudonyms).Sync(folderCatalogue);
        using var done = SiteCatalogue.OpenReadOnly(db);
        var counts = CountEngine.Build(done.Series()).Count(Criterion.All);
        var folderCounts = CountEngine.Build(folderCatalogue.Series()).Count(Criterion.All);
        Assert.That((counts.Studies, counts.Series, counts.Instances), Is.EqualTo((folderCounts.Studies, folderCounts.Series, folderCounts.Instances)));
    }

    [Test]
    public async Task A_pacs_outage_leaves_the_catalogue_answering_and_the_scheduler_catches_up_when_it_is_back()
    {
        await using var relay = new TcpRelay(_orthanc.DicomPort);
        var db = Path.Combine(_root, "outage.db");
        using var catalogue = SiteCatalogue.Open(db);
        var earlier = new SeriesRecord { Id = "pacs|1.2.3", Source = "pacs", StudyInstanceUid = "1.2", SeriesInstanceUid = "1.2.3", PatientKey = "k", Modality = "CT", Instances = 1, StudyDate = 20200101 };
        catalogue.Upsert([earlier]);
        using var live = new LiveCountEngine(catalogue, TimeSpan.FromMilliseconds(200), TimeProvider.System);
        using var registry = new DicomPeerRegistry();
        var client = new DicomClient(
            new DicomClientOptions { Host = "127.0.0.1", Port = relay.Port, CalledAeTitle = _orthanc.AeTitle, ConnectTimeout = TimeSpan.FromSeconds(2), Resilience = DicomResilienceOptions.Interactive },
            registry);
        var schedule = new SyncSchedule { RetryAfter = TimeSpan.FromMilliseconds(300), MaxRetryAfter = TimeSpan.FromSeconds(1), FullEvery = TimeSpan.FromHours(1), RecentEvery = TimeSpan.FromHours(1) };
        var scheduler = new SyncScheduler(catalogue, [new ScheduledSource(new DimseSource("pacs", client, Pseudonyms), schedule)], TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<SyncScheduler>.Instance);
        var outcomes = new System.Collections.Concurrent.ConcurrentQueue<SyncCompletedEventArgs>();
        scheduler.SyncCompleted += (_, e) => outcomes.Enqueue(e);
        using var stop = new CancellationTokenSource();
        var running = Task.WhenAll(scheduler.RunAsync(stop.Token), IgnoreCancellation(live.RunAsync(stop.Token)));
        try
        {
            // The PACS is unreachable: failures in a row, recorded, while the catalogue answers.
            await WaitForAsync(() => outcomes.Count(o => !o.Succeeded) >= 3, TimeSpan.FromSeconds(30));
            Assert.Multiple(() =>
            {
                Assert.That(catalogue.GetSource("pacs")!.ConsecutiveFailures, Is.GreaterThanOrEqualTo(3));
                Assert.That(catalogue.GetSource("pacs")!.LastError, Does.Contain("could not be reached"));
                Assert.That(live.Current.Count(Criterion.All).Series, Is.EqualTo(1), "the catalogue keeps answering from what it has");
            });

            // Back: the next try crawls everything (and removes the record the PACS does not have).
            relay.Restore();
            await WaitForAsync(() => outcomes.Any(o => o.Succeeded), TimeSpan.FromSeconds(90));
            using var folderCatalogue = SiteCatalogue.Open(Path.Combine(_root, "folder-for-outage.db"));
            new FolderSource("folder", _corpus.Directory, Pseudonyms).Sync(folderCatalogue);
            var expected = CountEngine.Build(folderCatalogue.Series()).Count(Criterion.All);
            await WaitForAsync(() => !live.IsStale && live.Current.Count(Criterion.All) == expected, TimeSpan.FromSeconds(10));
            Assert.Multiple(() =>
            {
                Assert.That(live.Current.Count(Criterion.All), Is.EqualTo(expected), "caught up, the engine rebuilt by itself");
                Assert.That(catalogue.GetSource("pacs")!.ConsecutiveFailures, Is.Zero);
                Assert.That(catalogue.GetSource("pacs")!.LastError, Is.Null);
            });
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }
    }

    [Test]
    public async Task The_queries_per_second_cap_spaces_the_queries_sent_to_the_pacs()
    {
        using var catalogue = SiteCatalogue.Open(Path.Combine(_root, "paced.db"));
        var interval = TimeSpan.FromMilliseconds(20);
        var source = new DimseSource(
            "paced",
            new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = _orthanc.DicomPort, CalledAeTitle = _orthanc.AeTitle }, _registry),
            Pseudonyms,
            new DimseSourceOptions { MinQueryInterval = interval });
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = await source.SyncAsync(catalogue);
        watch.Stop();
        Assert.Multiple(() =>
        {
            Assert.That(result.Queries, Is.GreaterThan(100));
            Assert.That(watch.Elapsed, Is.GreaterThanOrEqualTo(interval * (result.Queries - 1)), "no faster than one query per interval");
        });
    }

    private static async Task IgnoreCancellation(Task task)
    {
        try
        {
            await task;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
    }

    private static bool Dispose(IDisposable disposable)
    {
        disposable.Dispose();
        return true;
    }
}
