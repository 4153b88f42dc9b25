using System.Globalization;
using System.Text;
using NodeAgent.Dicom;
using NodeAgent.Testing;

namespace NodeAgent.Benchmarks.Peers;

/// <summary>
/// NodeAgent's codec against the peers on the same files in the same run: header scan (GDCM's
/// gdcmscanner, DCMTK's dcmdump, pydicom), full read + write (cp -r), and the memory of rewriting
/// a 2 GB multi-frame file (DCMTK's dcmconv, cp). Prints Markdown tables.
/// </summary>
public static class PeerComparison
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    // cp and dcmconv do not fsync; neither do we here (Save does by default).
    private static readonly NodeAgent.Dicom.IO.DicomWriteOptions NoSync = new() { FlushToDisk = false };

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = 5;
        string? corpus = null;
        string? output = null;
        var skipMemory = false;
        var sections = new HashSet<string>(["scan", "readwrite", "memory", "store", "find-get", "pseudonymise", "count", "catalogue", "index", "federation"], StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--runs": runs = int.Parse(args[++i], Invariant); break;
                case "--corpus": corpus = args[++i]; break;
                case "--output": output = args[++i]; break;
                case "--skip-memory": skipMemory = true; break;
                case "--sections": sections = [.. args[++i].Split(',')]; break;
                default:
                    Console.Error.WriteLine($"unknown option {args[i]}; options: --runs N --corpus DIR --output FILE --sections scan,readwrite,memory,store,find-get,pseudonymise,count,catalogue,index,federation --skip-memory");
                    return 2;
            }
        }

        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"Machine: {MachineDescription()}; .NET {Environment.Version}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; median of {runs} runs after warm-up runs (10 for in-process NodeAgent scans, so the tiered JIT reaches optimised code, 3 otherwise); peers run as one process per run, start-up included.");
        report.AppendLine();

        if (sections.IsSubsetOf(["count", "catalogue", "federation"]))
        {
            if (sections.Contains("federation"))
            {
                await FederationLatency.RunAsync(report);
            }

            // The count engine and the catalogue at scale need no corpus.
            if (sections.Contains("count"))
            {
                CountLatency.Run(report);
            }

            if (sections.Contains("catalogue"))
            {
                CountLatency.RunCatalogue(report);
            }

            Console.WriteLine(report);
            if (output is not null)
            {
                File.WriteAllText(output, report.ToString());
            }

            return 0;
        }

        var directory = BenchCorpus.Prepare(corpus);
        var files = BenchCorpus.Files(directory);
        var bytes = files.Sum(f => new FileInfo(f).Length);
        BenchCorpus.Warm(files);
        report.AppendLine(CultureInfo.InvariantCulture, $"Corpus: {files.Count} CT files, {bytes / 1e6:F0} MB, from the page cache ({directory}).");
        report.AppendLine();

        if (sections.Contains("scan"))
        {
            HeaderScanSection(report, directory, files, bytes, runs);
        }

        if (sections.Contains("readwrite"))
        {
            if (Directory.Exists("/dev/shm"))
            {
                ReadWriteSection(report, directory, files, bytes, runs, "/dev/shm", "to tmpfs: the codec's own cost, no disk");
            }

            ReadWriteSection(report, directory, files, bytes, runs, Path.GetTempPath(), "to disk");
        }

        if (sections.Contains("count"))
        {
            CountLatency.Run(report);
        }

        if (sections.Contains("catalogue"))
        {
            CountLatency.RunCatalogue(report);
        }

        if (sections.Contains("federation"))
        {
            await FederationLatency.RunAsync(report);
        }

        if (sections.Contains("pseudonymise"))
        {
            PseudonymisationComparison.Run(report, directory, files, bytes, runs);
        }

        if (sections.Contains("index"))
        {
            await IndexComparison.RunAsync(report, directory, files, bytes, runs).ConfigureAwait(false);
        }

        if (!skipMemory && sections.Contains("memory"))
        {
            MemorySection(report);
        }

        if (sections.Contains("store") || sections.Contains("find-get"))
        {
            report.AppendLine("## DICOM networking (loopback; TCP_NODELAY on for every DCMTK tool and Orthanc)");
            report.AppendLine();
            if (sections.Contains("store"))
            {
                await NetworkComparison.StoreReceiveAsync(report, files, runs).ConfigureAwait(false);
            }

            if (sections.Contains("find-get"))
            {
                await NetworkComparison.FindAndGetAsync(report, runs).ConfigureAwait(false);
            }

            report.AppendLine(CultureInfo.InvariantCulture, $"Peak working set of the benchmark process (NodeAgent's side of every network test): {Environment.WorkingSet / 1e6:F0} MB now, {System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0} MB at most.");
            report.AppendLine();
        }

        Console.WriteLine(report);
        if (output is not null)
        {
            File.WriteAllText(output, report.ToString());
        }

        return 0;
    }

    private static void HeaderScanSection(StringBuilder report, string directory, List<string> files, long bytes, int runs)
    {
        var tagArgs = HeaderScan.Tags.SelectMany(t => new[] { "-t", $"{t.Group:x4},{t.Element:x4}" }).ToArray();
        var pydicomScript = Path.Combine(AppContext.BaseDirectory, "Peers", "pydicom_scan.py");
        var results = new List<Measurement>
        {
            Measurement.Take("NodeAgent, 2 threads", runs, files.Count, bytes, () => { }, () => Expect(HeaderScan.ScanDirectory(directory, 2), files.Count), warmups: 10),
            Measurement.Take("NodeAgent, 1 thread", runs, files.Count, bytes, () => { }, () => Expect(HeaderScan.ScanDirectory(directory, 1), files.Count), warmups: 10),
            Measurement.Take("gdcmscanner (GDCM 3.0.21)", runs, files.Count, bytes, () => { }, () => Run("gdcmscanner", ["-d", directory, "-r", .. tagArgs])),
            Measurement.Take("dcmdump -M (DCMTK 3.6.7)", runs, files.Count, bytes, () => { }, () => Run("dcmdump", ["-q", "-M", "+sd", "+r", "+sp", "*.dcm", directory])),
            Measurement.Take("pydicom 2.3 dcmread(stop_before_pixels=True)", Math.Min(runs, 3), files.Count, bytes, () => { }, () => Run("/usr/bin/python3", [pydicomScript, directory])),
        };

        var before = GC.GetTotalAllocatedBytes(precise: true);
        HeaderScan.ScanAll(files, 1);
        var perFile = (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)files.Count;

        report.AppendLine("## Header scan (list the folder, read 17 attributes an index needs from each file, stop before Pixel Data)");
        report.AppendLine();
        Table(report, results, "files/s", m => m.ItemsPerSecond.ToString("N0", Invariant));
        var gdcm = results[2].ItemsPerSecond;
        report.AppendLine(CultureInfo.InvariantCulture, $"NodeAgent with 2 threads: {results[0].ItemsPerSecond / gdcm:F1}x gdcmscanner; with 1 thread: {results[1].ItemsPerSecond / gdcm:F1}x. Allocated per file (1 thread, whole scan including the returned record): {perFile / 1024:F1} KB.");
        report.AppendLine();
    }

    private static void ReadWriteSection(StringBuilder report, string directory, List<string> files, long bytes, int runs, string target, string title)
    {
        var output = Path.Combine(target, "nodeagent-bench-out");
        void Clean()
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }

            Directory.CreateDirectory(output);
            Run("sync", []);
        }

        void Rewrite(int threads) => Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = threads }, path =>
        {
            var target = Path.Combine(output, Path.GetRelativePath(directory, path));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            using var file = DicomFile.Open(path);
            file.Save(target, NoSync);
        });

        var results = new List<Measurement>
        {
            Measurement.Take("NodeAgent read + write, 2 threads", runs, files.Count, bytes, Clean, () => Rewrite(2)),
            Measurement.Take("NodeAgent read + write, 1 thread", runs, files.Count, bytes, Clean, () => Rewrite(1)),
            Measurement.Take("cp -r", runs, files.Count, bytes, Clean, () => Run("cp", ["-r", directory, Path.Combine(output, "copy")])),
        };
        Clean();

        report.AppendLine(CultureInfo.InvariantCulture, $"## Full read + write, {title} ({output})");
        report.AppendLine();
        report.AppendLine("Each file is opened, parsed whole (pixel data referenced, not loaded) and saved through a temporary name renamed when complete, without fsync (cp does not fsync either); the output folder is emptied and `sync`ed before every run.");
        report.AppendLine();
        Table(report, results, "MB/s", m => m.MegabytesPerSecond.ToString("N0", Invariant));
        report.AppendLine(CultureInfo.InvariantCulture, $"Time relative to cp -r: 2 threads {results[0].Median / results[2].Median:F2}x, 1 thread {results[1].Median / results[2].Median:F2}x.");
        report.AppendLine();
    }

    private static void MemorySection(StringBuilder report)
    {
        var input = Path.Combine(Path.GetTempPath(), "nodeagent-bench-2gb.dcm");
        if (!File.Exists(input))
        {
            CreateMultiFrame(input, frames: 1024);
        }

        var ours = Path.Combine(Path.GetTempPath(), "nodeagent-bench-2gb-ours.dcm");
        var theirs = Path.Combine(Path.GetTempPath(), "nodeagent-bench-2gb-dcmconv.dcm");
        var copy = Path.Combine(Path.GetTempPath(), "nodeagent-bench-2gb-cp.dcm");
        var self = Path.Combine(AppContext.BaseDirectory, "NodeAgent.Benchmarks.dll");
        var rows = new List<(string Name, double Seconds, long Kilobytes)>
        {
            Timed("NodeAgent: open + save", "dotnet", [self, "rewrite", input, ours]),
            Timed("dcmconv (DCMTK 3.6.7)", "dcmconv", [input, theirs]),
            Timed("cp", "cp", [input, copy]),
        };
        foreach (var f in new[] { ours, theirs, copy })
        {
            File.Delete(f);
        }

        report.AppendLine(CultureInfo.InvariantCulture, $"## Memory: rewrite a {new FileInfo(input).Length / 1e9:F2} GB multi-frame file (1024 frames of 1024x1024x16 bits)");
        report.AppendLine();
        report.AppendLine("| candidate | wall time (s) | peak resident memory (MB) |");
        report.AppendLine("| --- | ---: | ---: |");
        foreach (var (name, seconds, kb) in rows)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {seconds:F2} | {kb / 1024.0:F0} |");
        }

        report.AppendLine();
        report.AppendLine("Peak resident memory is GNU time's maximum RSS of the whole process (for NodeAgent: the .NET runtime included).");
        report.AppendLine();
    }

    private static (string, double, long) Timed(string name, string command, string[] args)
    {
        // Start each candidate with no dirty pages of the previous one still being written back.
        Run("sync", []);
        var (seconds, kilobytes) = MeasureProcess(command, args);
        return (name, seconds, kilobytes);
    }

    /// <summary>Wall time and peak resident memory (GNU time's maximum RSS) of one whole process.</summary>
    internal static (double Seconds, long Kilobytes) MeasureProcess(string command, string[] args)
    {
        var result = ExternalProcess.Run("/usr/bin/time", ["-f", "%e %M", command, .. args], timeout: TimeSpan.FromMinutes(20));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} failed ({result.ExitCode}): {result.StandardError[..Math.Min(500, result.StandardError.Length)]}");
        }

        var last = result.StandardError.Trim().Split('\n')[^1].Split(' ');
        return (double.Parse(last[0], Invariant), long.Parse(last[1], Invariant));
    }

    internal static void CreateMultiFrame(string path, int frames)
    {
        var ds = new DicomDataset();
        ds.AddOrUpdate(DicomTags.SOPClassUID, DicomVR.UI, DicomUids.EnhancedCTImageStorage);
        ds.AddOrUpdate(DicomTags.SOPInstanceUID, DicomVR.UI, "1.2.826.0.1.3680043.8.498.2");
        ds.AddOrUpdate(DicomTags.Modality, "CT");
        ds.AddOrUpdate(DicomTags.SamplesPerPixel, DicomVR.US, (ushort)1);
        ds.AddOrUpdate(DicomTags.PhotometricInterpretation, "MONOCHROME2");
        ds.AddOrUpdate(DicomTags.NumberOfFrames, DicomVR.IS, frames.ToString(Invariant));
        ds.AddOrUpdate(DicomTags.Rows, DicomVR.US, (ushort)1024);
        ds.AddOrUpdate(DicomTags.Columns, DicomVR.US, (ushort)1024);
        ds.AddOrUpdate(DicomTags.BitsAllocated, DicomVR.US, (ushort)16);
        ds.AddOrUpdate(DicomTags.BitsStored, DicomVR.US, (ushort)16);
        ds.AddOrUpdate(DicomTags.HighBit, DicomVR.US, (ushort)15);
        ds.AddOrUpdate(DicomTags.PixelRepresentation, DicomVR.US, (ushort)0);
        ds.AddOrUpdate(new DicomElement(DicomTags.PixelData, DicomVR.OW, new SyntheticPixels(1024L * 1024 * 2 * frames)));
        new DicomFile(ds, DicomTransferSyntax.ExplicitVRLittleEndian).Save(path);
    }

    private static void Table(StringBuilder report, List<Measurement> results, string rateUnit, Func<Measurement, string> rate)
    {
        report.AppendLine(CultureInfo.InvariantCulture, $"| candidate | median (s) | {rateUnit} | runs (s) |");
        report.AppendLine("| --- | ---: | ---: | --- |");
        foreach (var m in results)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"| {m.Candidate} | {m.Median:F3} | {rate(m)} | {m.Runs} |");
        }

        report.AppendLine();
    }

    internal static void Run(string command, string[] args)
    {
        var result = ExternalProcess.Run(command, args, timeout: TimeSpan.FromMinutes(20));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} exited with {result.ExitCode}: {result.StandardError[..Math.Min(500, result.StandardError.Length)]}");
        }
    }

    private static void Expect(int actual, int expected)
    {
        if (actual != expected)
        {
            throw new InvalidOperationException($"The scan read {actual} of {expected} files.");
        }
    }

    private static string MachineDescription()
    {
        var model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "unknown CPU";
        return $"{Environment.ProcessorCount} cores ({model}), Linux {Environment.OSVersion.Version}";
    }
}
