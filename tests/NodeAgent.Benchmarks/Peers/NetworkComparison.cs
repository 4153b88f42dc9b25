using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using NodeAgent.Dicom.Network.Client;
using NodeAgent.Dicom.Network.Query;
using NodeAgent.Dicom.Network.Server;
using NodeAgent.Dicom.Network.Storage;
using NodeAgent.Testing;
using NodeAgent.Testing.Peers;

namespace NodeAgent.Benchmarks.Peers;

/// <summary>
/// DICOM networking against DCMTK and Orthanc, on loopback, in one run: C-STORE receive (storescu
/// into our listener vs into storescp), C-FIND round trips against Orthanc (ours vs findscu), and a
/// C-GET of a 500-instance study from Orthanc (ours vs getscu).
/// </summary>
internal static class NetworkComparison
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static async Task StoreReceiveAsync(StringBuilder report, List<string> corpusFiles, int runs)
    {
        var files = corpusFiles.Take(500).ToList();
        var source = Path.Combine(Path.GetTempPath(), "nodeagent-bench-store-src");
        Mirror(files, source);
        var bytes = files.Sum(f => new FileInfo(f).Length);
        var output = Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), "nodeagent-bench-store-out");

        // Both receivers are processes of their own, started once and measured over every run: the
        // peak resident memory they report at the end is what a long-running listener needs.
        Measurement nodeAgent;
        long nodeAgentPeakKb;
        await using (var ours = await DcmtkListener.StartAsync("dotnet", "NODEAGENT", port => NodeAgentCli.Arguments("pacs", "listen", "--port", port.ToString(Invariant), "--aet", "NODEAGENT", "--output", output, "--bind", "127.0.0.1")).ConfigureAwait(false))
        {
            nodeAgent = Measurement.Take("storescu → nodeagent pacs listen", runs, files.Count, bytes, () => Reset(output), () => Send(ours.Port, "NODEAGENT", source, files.Count, output));
            nodeAgentPeakKb = MemoryProbe.PeakResidentKilobytes(ours.Pid);
        }

        // The same server hosted in this long-running process, as the agent's service will host it.
        Measurement inProcess;
        var services = new ServiceCollection().AddSingleton<IDicomStoreHandler>(new FolderStoreHandler(output, flushToDisk: false)).BuildServiceProvider();
        await using (services.ConfigureAwait(false))
        {
            var server = new DicomServer(new DicomServerOptions { AeTitle = "NODEAGENT", Port = 0 }, services);
            await using (server.ConfigureAwait(false))
            {
                server.Start();
                inProcess = Measurement.Take("storescu → NodeAgent's DicomServer in a long-running process", runs, files.Count, bytes, () => Reset(output), () => Send(server.Port, "NODEAGENT", source, files.Count, output));
            }
        }

        Measurement dcmtk;
        long dcmtkPeakKb;
        Reset(output);
        await using (var storescp = await DcmtkListener.StartStoreScpAsync("STORESCP", output, ["+B"]).ConfigureAwait(false))
        {
            dcmtk = Measurement.Take("storescu → storescp +B (DCMTK 3.6.7)", runs, files.Count, bytes, () => Reset(output), () => Send(storescp.Port, "STORESCP", source, files.Count, output));
            dcmtkPeakKb = MemoryProbe.PeakResidentKilobytes(storescp.Pid);
        }

        report.AppendLine(CultureInfo.InvariantCulture, $"### C-STORE receive: storescu sends {files.Count} CT files ({bytes / 1e6:F0} MB) over one association, loopback, written to tmpfs");
        report.AppendLine();
        Table(report, [nodeAgent, inProcess, dcmtk], m => $"{m.ItemsPerSecond:N0} files/s, {m.MegabytesPerSecond:N0} MB/s");
        report.AppendLine(CultureInfo.InvariantCulture, $"NodeAgent receives in {nodeAgent.Median / dcmtk.Median:F2}x the time of storescp as the `pacs listen` CLI, {inProcess.Median / dcmtk.Median:F2}x hosted in a long-running process (the sender, storescu, is the same for all, start-up included; it converts every file to explicit VR little endian for all receivers).");
        report.AppendLine(CultureInfo.InvariantCulture, $"Peak resident memory of the receiving process after {runs + 3} batches ({(runs + 3) * files.Count} files): nodeagent pacs listen {nodeAgentPeakKb / 1024.0:F0} MB (the .NET runtime included), storescp {dcmtkPeakKb / 1024.0:F0} MB.");
        report.AppendLine();
        Directory.Delete(source, recursive: true);
        Reset(output);
    }

    public static async Task FindAndGetAsync(StringBuilder report, int runs)
    {
        await using var orthanc = await OrthancInstance.StartAsync().ConfigureAwait(false);
        var mixed = SyntheticCorpus.Get("--patients", "40", "--studies", "1-2", "--series", "1-2", "--instances", "2-3", "--size", "tiny", "--seed", "11", "--jpeg-rate", "1", "--seg-rate", "0.5");
        await orthanc.UploadAsync(mixed.Files).ConfigureAwait(false);
        var big = SyntheticCorpus.Get("--patients", "1", "--studies", "1-1", "--series", "1-1", "--instances", "500-500", "--mix", "CT=1", "--seg-rate", "0", "--seed", "3", "--ts-mix", "explicit=1");
        var load = DcmtkTool.StoreScu("127.0.0.1", orthanc.DicomPort, orthanc.AeTitle, "LOADER", [big.Directory], TimeSpan.FromMinutes(5));
        if (load.ExitCode != 0)
        {
            throw new InvalidOperationException($"Loading the 500-instance study failed: {load.StandardError}");
        }

        var options = new DicomClientOptions { Host = "127.0.0.1", Port = orthanc.DicomPort, CalledAeTitle = orthanc.AeTitle, Resilience = DicomResilienceOptions.Interactive };
        var client = new DicomClient(options, new DicomPeerRegistry());
        await FindAsync(report, client, orthanc, runs).ConfigureAwait(false);
        await GetAsync(report, client, orthanc, big, runs).ConfigureAwait(false);
    }

    private static async Task FindAsync(StringBuilder report, DicomClient client, OrthancInstance orthanc, int runs)
    {
        const int Queries = 50;
        DicomQuery Query() => DicomQuery.Create(DicomQueryLevel.Study).Match(Dicom.DicomTags.ModalitiesInStudy, "CT").Match(Dicom.DicomTags.StudyDate, "20150101-20251231");
        var expected = 0;
        await foreach (var _ in client.FindAsync(Query()).ConfigureAwait(false))
        {
            expected++;
        }

        var ours = Measurement.Take($"NodeAgent: {Queries} C-FINDs in one process, an association each", runs, Queries, 0, () => { }, () =>
        {
            for (var i = 0; i < Queries; i++)
            {
                Check(Count(client.FindAsync(Query())) == expected, "NodeAgent's C-FIND gave another count");
            }
        });
        var session = Measurement.Take($"NodeAgent: {Queries} C-FINDs on one association (a session)", runs, Queries, 0, () => { }, () =>
        {
            var open = client.OpenSessionAsync().GetAwaiter().GetResult();
            try
            {
                for (var i = 0; i < Queries; i++)
                {
                    Check(Count(open.FindAsync(Query())) == expected, "NodeAgent's C-FIND gave another count");
                }
            }
            finally
            {
                open.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        });
        string[] keys = ["QueryRetrieveLevel=STUDY", "ModalitiesInStudy=CT", "StudyDate=20150101-20251231", "StudyInstanceUID", "PatientID"];
        var repeated = Measurement.Take($"findscu --repeat {Queries}: {Queries} C-FINDs on one association", runs, Queries, 0, () => { }, () =>
            Check(Run("findscu", ["-S", "--repeat", Queries.ToString(Invariant), .. keys.SelectMany(k => new[] { "-k", k }), "-aec", orthanc.AeTitle, "127.0.0.1", orthanc.DicomPort.ToString(Invariant)]), "findscu --repeat failed"));
        var processes = Measurement.Take("findscu: one process per C-FIND (10 runs each)", runs, 10, 0, () => { }, () =>
        {
            for (var i = 0; i < 10; i++)
            {
                Check(Run("findscu", ["-S", .. keys.SelectMany(k => new[] { "-k", k }), "-aec", orthanc.AeTitle, "127.0.0.1", orthanc.DicomPort.ToString(Invariant)]), "findscu failed");
            }
        });

        report.AppendLine(CultureInfo.InvariantCulture, $"### C-FIND round trip against Orthanc 1.10.1 (study level, ModalitiesInStudy=CT and a date range: {expected} matches)");
        report.AppendLine();
        report.AppendLine("| candidate | per query (ms) | runs (s, whole batch) |");
        report.AppendLine("| --- | ---: | --- |");
        foreach (var m in new[] { session, repeated, ours, processes })
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"| {m.Candidate} | {m.Median / m.Items * 1000:F1} | {m.Runs} |");
        }

        report.AppendLine();
        report.AppendLine("Like for like: a NodeAgent session against findscu --repeat (one association, many queries). Opening and releasing an association per query costs NodeAgent about a millisecond more; a findscu process per query pays its start-up (dictionary load) each time.");
        report.AppendLine();
    }

    private static async Task GetAsync(StringBuilder report, DicomClient client, OrthancInstance orthanc, SyntheticCorpus big, int runs)
    {
        var studyUid = Dicom.DicomFile.Open(big.Files[0], Dicom.IO.DicomReadOptions.StopBeforePixelData).Dataset.GetString(Dicom.DicomTags.StudyInstanceUID)!;
        var count = big.Files.Count;
        var bytes = big.Files.Sum(f => new FileInfo(f).Length);
        var output = Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), "nodeagent-bench-get-out");
        var identifier = DicomQuery.Create(DicomQueryLevel.Study);
        foreach (var item in identifier.Identifier.ToList().Where(i => i.Tag != Dicom.DicomTags.QueryRetrieveLevel))
        {
            identifier.Identifier.Remove(item.Tag);
        }

        identifier.Match(Dicom.DicomTags.StudyInstanceUID, studyUid);
        var ours = Measurement.Take($"NodeAgent C-GET in a long-running process ({count} instances)", runs, count, bytes, () => Reset(output), () =>
        {
            var result = client.GetAsync(identifier, new FolderStoreHandler(output, flushToDisk: false)).GetAwaiter().GetResult();
            Check(result.Completed == count && Directory.GetFiles(output).Length == count, $"NodeAgent's C-GET delivered {result.Completed} of {count}");
        });
        var port = orthanc.DicomPort.ToString(Invariant);
        long cliPeakKb = 0, getscuPeakKb = 0;
        var cli = Measurement.Take($"nodeagent pacs get, a process per run ({count} instances)", runs, count, bytes, () => Reset(output), () =>
        {
            cliPeakKb = Math.Max(cliPeakKb, RunMeasured("dotnet", NodeAgentCli.Arguments("pacs", "get", "--host", "127.0.0.1", "--port", port, "--called-ae", orthanc.AeTitle, "--study-uid", studyUid, "--output", output)));
            Check(Directory.GetFiles(output).Length == count, "nodeagent pacs get delivered another count");
        });
        var dcmtk = Measurement.Take($"getscu (DCMTK 3.6.7, {count} instances)", runs, count, bytes, () => Reset(output), () =>
        {
            getscuPeakKb = Math.Max(getscuPeakKb, RunMeasured("getscu", ["-S", "-k", "QueryRetrieveLevel=STUDY", "-k", $"StudyInstanceUID={studyUid}", "-od", output, "-aec", orthanc.AeTitle, "127.0.0.1", port]));
            Check(Directory.GetFiles(output).Length == count, "getscu delivered another count");
        });
        Reset(output);

        report.AppendLine(CultureInfo.InvariantCulture, $"### C-GET of a {count}-instance CT study ({bytes / 1e6:F0} MB) from Orthanc 1.10.1, written to tmpfs");
        report.AppendLine();
        Table(report, [ours, cli, dcmtk], m => $"{m.ItemsPerSecond:N0} files/s, {m.MegabytesPerSecond:N0} MB/s");
        report.AppendLine(CultureInfo.InvariantCulture, $"NodeAgent's C-GET takes {ours.Median / dcmtk.Median:F2}x the time of getscu's in a long-running process, {cli.Median / dcmtk.Median:F2}x as a CLI process of its own (start-up and JIT included, as for getscu; Orthanc, the sender, is the same for all).");
        report.AppendLine(CultureInfo.InvariantCulture, $"Peak resident memory (GNU time, largest over the runs): nodeagent pacs get {cliPeakKb / 1024.0:F0} MB (the .NET runtime included), getscu {getscuPeakKb / 1024.0:F0} MB.");
        report.AppendLine();
    }

    /// <summary>Counts the matches of a C-FIND, waiting on each: the measured loops are synchronous, like findscu.</summary>
    private static int Count(IAsyncEnumerable<Dicom.DicomDataset> results)
    {
        var count = 0;
        var enumerator = results.GetAsyncEnumerator();
        try
        {
            while (enumerator.MoveNextAsync().AsTask().GetAwaiter().GetResult())
            {
                count++;
            }
        }
        finally
        {
            enumerator.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        return count;
    }

    /// <summary>Runs a process under GNU time and returns its peak resident set in KB.</summary>
    private static long RunMeasured(string command, string[] args)
    {
        var result = ExternalProcess.Run("/usr/bin/time", ["-f", "peak-rss-kb %M", command, .. args], timeout: TimeSpan.FromMinutes(10));
        Check(result.ExitCode == 0, $"{command} failed: {result.StandardError}");
        var line = result.StandardError.Split('\n').Last(l => l.StartsWith("peak-rss-kb ", StringComparison.Ordinal));
        return long.Parse(line["peak-rss-kb ".Length..].Trim(), Invariant);
    }

    private static void Send(int port, string calledAe, string source, int expected, string output)
    {
        Check(Run("storescu", ["-xy", "-R", "-nh", "+sd", "+r", "-aec", calledAe, "127.0.0.1", port.ToString(Invariant), source]), "storescu failed");
        Check(Directory.GetFiles(output).Length == expected, $"the receiver got {Directory.GetFiles(output).Length} of {expected} files");
    }

    private static void Mirror(List<string> files, string target)
    {
        Reset(target);
        foreach (var (file, i) in files.Select((f, i) => (f, i)))
        {
            File.Copy(file, Path.Combine(target, $"{i:D5}.dcm"));
        }
    }

    private static void Reset(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        Directory.CreateDirectory(directory);
    }

    private static bool Run(string command, string[] args)
    {
        var result = ExternalProcess.Run(command, args, timeout: TimeSpan.FromMinutes(10));
        return result.ExitCode == 0;
    }

    private static void Check(bool ok, string what)
    {
        if (!ok)
        {
            throw new InvalidOperationException(what);
        }
    }

    private static void Table(StringBuilder report, Measurement[] results, Func<Measurement, string> rate)
    {
        report.AppendLine("| candidate | median (s) | throughput | runs (s) |");
        report.AppendLine("| --- | ---: | ---: | --- |");
        foreach (var m in results)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"| {m.Candidate} | {m.Median:F3} | {rate(m)} | {m.Runs} |");
        }

        report.AppendLine();
    }
}
