using System.Globalization;
using System.Text;
using NodeAgent.Pseudonymisation;
using NodeAgent.Pseudonymisation.Batch;
using NodeAgent.Pseudonymisation.Keys;
using NodeAgent.Pseudonymisation.Profiles;
using NodeAgent.Testing;

namespace NodeAgent.Benchmarks.Peers;

/// <summary>
/// The pseudonymisation figures: NodeAgent's basic and research profiles against GDCM's
/// gdcmanon (its default mode is the PS3.15 basic profile) and cp -r, on the same files in the same
/// run, output to disk, the output folder emptied and synced before every run. Then peak memory of
/// whole processes on 200 and 2,000 files and on one 2 GB file, to show it does not grow with them.
/// </summary>
internal static class PseudonymisationComparison
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Run(StringBuilder report, string corpus, List<string> files, long bytes, int runs)
    {
        var work = Path.Combine(Path.GetTempPath(), "nodeagent-bench-pseudo");
        Directory.CreateDirectory(work);
        if (Directory.Exists("/dev/shm"))
        {
            Compare(report, corpus, files, bytes, runs, work, Path.Combine("/dev/shm", "nodeagent-bench-pseudo"), "to tmpfs: each tool's own cost, no disk");
        }

        Compare(report, corpus, files, bytes, runs, work, work, "to disk");
        MemoryRows(report, corpus, files, work, Path.Combine(work, "site.secret"), Path.Combine(work, "cert.pem"));
    }

    private static void Compare(StringBuilder report, string corpus, List<string> files, long bytes, int runs, string work, string target, string title)
    {
        Directory.CreateDirectory(work);
        var secretPath = Path.Combine(work, "site.secret");
        var secret = SiteSecret.CreateOrLoad(secretPath);
        var certificate = Path.Combine(work, "cert.pem");
        if (!File.Exists(certificate))
        {
            Run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", Path.Combine(work, "key.pem"), "-out", certificate, "-subj", "/CN=nodeagent-bench", "-days", "2"]);
        }

        var output = Path.Combine(target, "out");
        var quarantine = Path.Combine(target, "quarantine");
        void Clean()
        {
            foreach (var directory in new[] { output, quarantine })
            {
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                }
            }

            Run("sync", []);
        }

        void InProcess(string profile, int jobs)
        {
            var job = new PseudonymisationJob(
                new Pseudonymiser(PseudonymisationProfile.Load(profile), secret),
                new PseudonymisationJobOptions(corpus, output, quarantine) { Jobs = jobs });
            var summary = job.Run();
            if (summary.Done != files.Count)
            {
                throw new InvalidOperationException($"Pseudonymised {summary.Done} of {files.Count} files ({summary.Quarantined} quarantined, {summary.Failed} failed).");
            }
        }

        var workers = PseudonymisationJobOptions.DefaultJobs;
        var published = PublishedCli(work);
        var results = new List<Measurement>
        {
            Measurement.Take($"NodeAgent basic, in process, {workers} workers (the default)", runs, files.Count, bytes, Clean, () => InProcess("basic", workers)),
            Measurement.Take($"NodeAgent research, in process, {workers} workers", runs, files.Count, bytes, Clean, () => InProcess("research", workers)),
            Measurement.Take("NodeAgent basic, in process, 1 worker", runs, files.Count, bytes, Clean, () => InProcess("basic", 1)),
            Measurement.Take("`nodeagent pseudonymise --profile basic` as published (ReadyToRun; one process, start-up and JIT included)", runs, files.Count, bytes, Clean, () => Run("dotnet", [published, "pseudonymise", "--profile", "basic", "--secret", secretPath, "--input", corpus, "--output", output, "--quarantine", quarantine])),
            Measurement.Take("`nodeagent pseudonymise --profile basic` from `dotnet build` (one process)", runs, files.Count, bytes, Clean, () => Run("dotnet", NodeAgentCli.Arguments("pseudonymise", "--profile", "basic", "--secret", secretPath, "--input", corpus, "--output", output, "--quarantine", quarantine))),
            Measurement.Take("gdcmanon -e (GDCM 3.0.21, PS3.15 basic profile)", runs, files.Count, bytes, Clean, () => Run("gdcmanon", ["-e", "-c", certificate, "-r", "-i", corpus, "-o", output])),
            Measurement.Take("cp -r", runs, files.Count, bytes, Clean, () => Run("cp", ["-r", corpus, output])),
        };
        Clean();

        report.AppendLine(CultureInfo.InvariantCulture, $"## Pseudonymisation, {title} ({target})");
        report.AppendLine();
        report.AppendLine("Every file read, pseudonymised and written under a temporary name renamed when complete (NodeAgent), without fsync (neither cp nor gdcmanon fsyncs); the output folder is emptied and `sync`ed before every run.");
        report.AppendLine();
        report.AppendLine("| candidate | median (s) | files/s | MB/s | runs (s) |");
        report.AppendLine("| --- | ---: | ---: | ---: | --- |");
        foreach (var m in results)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"| {m.Candidate} | {m.Median:F3} | {m.ItemsPerSecond:N0} | {m.MegabytesPerSecond:N0} | {m.Runs} |");
        }

        report.AppendLine();
        var (gdcm, cp) = (results[5].Median, results[6].Median);
        report.AppendLine(CultureInfo.InvariantCulture, $"NodeAgent basic, in process: {gdcm / results[0].Median:F1}x faster than gdcmanon, {results[0].Median / cp:F2}x the time of cp -r. As the published CLI: {gdcm / results[3].Median:F1}x faster than gdcmanon, {results[3].Median / cp:F2}x cp -r; from `dotnet build`: {gdcm / results[4].Median:F1}x, {results[4].Median / cp:F2}x. Research profile in process: {results[1].Median / cp:F2}x cp -r.");
        report.AppendLine();
    }

    /// <summary>Publishes the CLI as the installers do (ReadyToRun, framework-dependent here) and returns its entry assembly.</summary>
    private static string PublishedCli(string work)
    {
        var target = Path.Combine(work, "published");
        var project = Path.Combine(RepositoryPaths.RepositoryRoot, "src", "NodeAgent", "NodeAgent.csproj");
        Run("dotnet", ["publish", project, "-c", "Release", "-r", System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier, "--self-contained", "false", "-o", target, "--nologo", "-v", "quiet"]);
        return Path.Combine(target, "nodeagent.dll");
    }

    private static void MemoryRows(StringBuilder report, string corpus, List<string> files, string work, string secretPath, string certificate)
    {
        // A tenth of the corpus, and one 2 GB multi-frame file: peak memory must not follow the count or the size.
        var small = Path.Combine(work, "corpus-200");
        if (!Directory.Exists(small))
        {
            foreach (var file in files.Take(200))
            {
                var target = Path.Combine(small, Path.GetRelativePath(corpus, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        }

        var large = Path.Combine(work, "corpus-2gb");
        if (!Directory.Exists(large))
        {
            Directory.CreateDirectory(large);
            PeerComparison.CreateMultiFrame(Path.Combine(large, "multiframe.dcm"), frames: 1024);
        }

        report.AppendLine("Peak resident memory (GNU time, whole process, the .NET runtime included):");
        report.AppendLine();
        report.AppendLine("| input | NodeAgent CLI basic (MB) | gdcmanon (MB) | NodeAgent wall (s) | gdcmanon wall (s) |");
        report.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var (name, input) in new[] { ("200 CT files", small), ($"{files.Count} CT files", corpus), ("one 2.1 GB multi-frame file", large) })
        {
            var output = Path.Combine(work, "mem-out");
            var quarantine = Path.Combine(work, "mem-quarantine");
            Delete(output, quarantine);
            var ours = Timed("dotnet", [Path.Combine(work, "published", "nodeagent.dll"), "pseudonymise", "--profile", "basic", "--secret", secretPath, "--input", input, "--output", output, "--quarantine", quarantine]);
            Delete(output, quarantine);
            var theirs = Timed("gdcmanon", ["-e", "-c", certificate, "-r", "-i", input, "-o", output]);
            Delete(output, quarantine);
            report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {ours.Kilobytes / 1024.0:F0} | {theirs.Kilobytes / 1024.0:F0} | {ours.Seconds:F2} | {theirs.Seconds:F2} |");
        }

        report.AppendLine();
    }

    private static void Delete(params string[] directories)
    {
        foreach (var directory in directories)
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        Run("sync", []);
    }

    private static (double Seconds, long Kilobytes) Timed(string command, string[] args) => PeerComparison.MeasureProcess(command, args);

    private static void Run(string command, string[] args) => PeerComparison.Run(command, args);
}
