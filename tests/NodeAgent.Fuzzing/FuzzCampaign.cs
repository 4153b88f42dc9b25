using System.Diagnostics;

namespace NodeAgent.Fuzzing;

/// <summary>Runs mutated seeds through a target until an iteration count or a deadline.</summary>
public sealed class FuzzCampaign(IReadOnlyList<byte[]> seeds, Func<byte[], FuzzFinding?> target, int seed)
{
    public int Iterations { get; private set; }

    public List<FuzzFinding> Run(int maxIterations, TimeSpan maxDuration, int maxFindings = 20, Action<int>? progress = null)
    {
        var random = new Random(seed);
        var mutator = new Mutator(random);
        var findings = new List<FuzzFinding>();
        var watch = Stopwatch.StartNew();
        foreach (var s in seeds)
        {
            if (target(s) is { } f)
            {
                findings.Add(f with { Kind = "seed " + f.Kind });
            }
        }

        while (Iterations < maxIterations && watch.Elapsed < maxDuration && findings.Count < maxFindings)
        {
            var input = mutator.Mutate(seeds[random.Next(seeds.Count)]);
            Iterations++;
            if (target(input) is { } finding)
            {
                findings.Add(finding);
            }

            if (Iterations % 10_000 == 0)
            {
                progress?.Invoke(Iterations);
            }
        }

        return findings;
    }
}
