using System.Diagnostics;
using System.Globalization;

namespace NodeAgent.Benchmarks.Peers;

/// <summary>
/// Wall-clock runs of one candidate: median and spread over repeated runs after warm-ups. Three
/// warm-ups let .NET's tiered JIT reach its optimised code, which is what a long-running service runs.
/// </summary>
public sealed record Measurement(string Candidate, IReadOnlyList<double> Seconds, long Items, long Bytes)
{
    public double Median => Seconds.Order().ElementAt(Seconds.Count / 2);

    public double ItemsPerSecond => Items / Median;

    public double MegabytesPerSecond => Bytes / 1e6 / Median;

    public string Runs => string.Join(", ", Seconds.Select(s => s.ToString("F3", CultureInfo.InvariantCulture)));

    public static Measurement Take(string candidate, int runs, long items, long bytes, Action prepare, Action run, int warmups = 3)
    {
        for (var i = 0; i < warmups; i++)
        {
            prepare();
            run();
        }

        var seconds = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            prepare();
            var watch = Stopwatch.StartNew();
            run();
            seconds.Add(watch.Elapsed.TotalSeconds);
        }

        return new Measurement(candidate, seconds, items, bytes);
    }
}
