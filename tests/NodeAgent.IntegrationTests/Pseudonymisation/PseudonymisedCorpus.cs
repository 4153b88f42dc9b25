using NodeAgent.Pseudonymisation;
using NodeAgent.Pseudonymisation.Batch;
using NodeAgent.Pseudonymisation.Keys;
using NodeAgent.Pseudonymisation.Profiles;
using NodeAgent.Testing;

namespace NodeAgent.IntegrationTests.Pseudonymisation;

/// <summary>
/// One make-dataset.py corpus (every modality, transfer syntax and character set of the generator,
/// SEGs referring to their source images, planted identifiers in its manifest), pseudonymised once
/// per profile for all the tests of this folder.
/// </summary>
internal static class PseudonymisedCorpus
{
    private static readonly Lazy<SyntheticCorpus> LazyCorpus = new(() =>
        SyntheticCorpus.Get("--files", "180", "--seed", "21", "--size", "small", "--instances", "2-6", "--seg-rate", "0.5", "--jobs", "2"));

    private static readonly Dictionary<string, Run> Runs = [];
    private static readonly Lock Gate = new();

    public static SyntheticCorpus Corpus => LazyCorpus.Value;

    public static SiteSecret Secret { get; } = SiteSecret.FromBytes("integration-test-site-secret-32b"u8);

    public static Run For(string profile)
    {
        lock (Gate)
        {
            if (!Runs.TryGetValue(profile, out var run))
            {
                var root = Path.Combine(Path.GetTempPath(), "nodeagent-pseudonymised", profile + "-" + Environment.ProcessId);
                if (Directory.Exists(root))
                {
                    Directory.Delete(root, recursive: true);
                }

                var output = Path.Combine(root, "out");
                var quarantine = Path.Combine(root, "quarantine");
                var summary = new PseudonymisationJob(
                    new Pseudonymiser(PseudonymisationProfile.Load(profile), Secret),
                    new PseudonymisationJobOptions(Corpus.Directory, output, quarantine) { Jobs = 2 }).Run();
                Runs[profile] = run = new Run(profile, output, quarantine, summary);
            }

            return run;
        }
    }

    /// <summary>Deletes a run's outputs (each profile's run belongs to one fixture).</summary>
    public static void Delete(Run run)
    {
        lock (Gate)
        {
            Runs.Remove(run.Profile);
            Directory.Delete(Path.GetDirectoryName(run.Output)!, recursive: true);
        }
    }

    /// <summary>Relative paths of the outputs, and the input each came from.</summary>
    public static IEnumerable<(string Input, string Output)> Pairs(Run run) =>
        Directory.GetFiles(run.Output, "*.dcm", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(o => (Path.Combine(Corpus.Directory, Path.GetRelativePath(run.Output, o)), o));

    public sealed record Run(string Profile, string Output, string Quarantine, PseudonymisationSummary Summary);
}
