using NodeAgent.Testing;

namespace NodeAgent.Benchmarks.Peers;

/// <summary>
/// The CT corpus of the figures: 2,000 512x512 CT files (about 1 GB) from make-dataset.py
/// with seed 42 and its default transfer syntax mix, localizers removed. Generated once and cached.
/// </summary>
public static class BenchCorpus
{
    public static string Prepare(string? directory)
    {
        directory ??= Path.Combine(Path.GetTempPath(), "nodeagent-bench-ct2000");
        var done = Path.Combine(directory, ".complete");
        if (File.Exists(done))
        {
            return directory;
        }

        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        Console.Error.WriteLine($"Generating the CT corpus in {directory} (about 20 s)...");
        var result = ExternalProcess.Run("/usr/bin/python3", [RepositoryPaths.Tool("make-dataset.py"), directory, "--files", "2300", "--mix", "CT=1", "--seg-rate", "0", "--seed", "42", "--jobs", "2", "--quiet"]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"make-dataset.py failed: {result.StandardError}");
        }

        foreach (var localizer in Directory.GetDirectories(directory, "*_TOPO", SearchOption.AllDirectories))
        {
            Directory.Delete(localizer, recursive: true);
        }

        foreach (var extra in Files(directory).Skip(2000))
        {
            File.Delete(extra);
        }

        File.WriteAllText(done, "");
        return directory;
    }

    public static List<string> Files(string directory) =>
        Directory.GetFiles(directory, "*.dcm", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

    /// <summary>Reads every file once so that all runs start from the page cache.</summary>
    public static void Warm(IEnumerable<string> files)
    {
        var buffer = new byte[1 << 20];
        foreach (var f in files)
        {
            using var s = File.OpenRead(f);
            while (s.Read(buffer) > 0)
            {
            }
        }
    }
}
