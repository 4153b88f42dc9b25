using System.Diagnostics;
using System.Diagnostics.Metrics;
using NodeAgent.Index.Sources;

namespace NodeAgent.Index.Scheduling;

/// <summary>
/// Traces and metrics of syncs, for OpenTelemetry (source and meter <c>NodeAgent.Index</c>). Tags are
/// the source's configured name, the scope and the outcome: never a query, date or identifier.
/// </summary>
public static class SyncTelemetry
{
    public const string Name = "NodeAgent.Index";

    public static ActivitySource Source { get; } = new(Name);

    private static readonly Meter Meter = new(Name);
    private static readonly Counter<long> Runs = Meter.CreateCounter<long>("nodeagent.sync.runs", description: "Syncs of a source, by outcome.");
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("nodeagent.sync.duration", unit: "s", description: "How long a sync took.");

    internal static void Record(string source, SyncScope scope, bool succeeded, TimeSpan elapsed)
    {
        var tags = new TagList { { "source", source }, { "scope", scope.ToString().ToLowerInvariant() }, { "outcome", succeeded ? "ok" : "failed" } };
        Runs.Add(1, tags);
        Duration.Record(elapsed.TotalSeconds, tags);
    }
}
