using System.Security.Cryptography;
using System.Text;

namespace NodeAgent.Testing;

/// <summary>
/// A corpus from shared/tools/make-dataset.py (synthetic patients, every planted identifier in its
/// manifest). Generated once per set of arguments into a cache folder shared by the test projects,
/// under a lock, and reused by later runs.
/// </summary>
public sealed class SyntheticCorpus
{
    private SyntheticCorpus(string directory, string manifestPath)
    {
        Directory = directory;
        ManifestPath = manifestPath;
    }

    public string Directory { get; }

    public string ManifestPath { get; }

    public IReadOnlyList<string> Files => System.IO.Directory.GetFiles(Directory, "*.dcm", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Generates (or reuses) the corpus for these make-dataset.py arguments.</summary>
    public static SyntheticCorpus Get(params string[] generatorArguments)
    {
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', generatorArguments))))[..16];
        var root = Path.Combine(Path.GetTempPath(), "nodeagent-test-corpora");
        System.IO.Directory.CreateDirectory(root);
        var directory = Path.Combine(root, key);
        var manifest = directory + ".json";
        var done = directory + ".done";
        using var lockFile = AcquireLock(directory + ".lock");
        if (!File.Exists(done))
        {
            if (System.IO.Directory.Exists(directory))
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }

            var args = new List<string> { RepositoryPaths.Tool("make-dataset.py"), directory, "--manifest", manifest, "--quiet" };
            args.AddRange(generatorArguments);
            var result = ExternalProcess.Run("/usr/bin/python3", args, timeout: TimeSpan.FromMinutes(15));
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"make-dataset.py failed ({result.ExitCode}): {result.StandardError}");
            }

            File.WriteAllText(done, DateTime.UtcNow.ToString("O"));
        }

        return new SyntheticCorpus(directory, manifest);
    }

    private static FileStream AcquireLock(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 1200)
            {
                Thread.Sleep(500);
            }
        }
    }
}
