using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace NodeAgent.Federation.Service;

/// <summary>
/// Metrics of federation calls for OpenTelemetry (meter <c>NodeAgent.Federation</c>): calls and their
/// latency by method, transport (direct or tunnel) and outcome (answered, or the refusal's status).
/// Never a query's values or a released number.
/// </summary>
public static class FederationTelemetry
{
    public const string Name = "NodeAgent.Federation";

    private static readonly Meter Meter = new(Name);
    private static readonly Counter<long> Requests = Meter.CreateCounter<long>("nodeagent.federation.requests", description: "Federation calls, by method, transport and outcome.");
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("nodeagent.federation.duration", unit: "ms", description: "Federation call latency at the node.");

    /// <param name="method">Count, Facets, Search, GetNodeInfo.</param>
    /// <param name="transport">direct or tunnel.</param>
    /// <param name="outcome">answered, or refused: and the gRPC status.</param>
    /// <param name="elapsed">From the call's arrival to its answer.</param>
    public static void Record(string method, string transport, string outcome, TimeSpan elapsed)
    {
        var tags = new TagList { { "method", method }, { "transport", transport }, { "outcome", outcome } };
        Requests.Add(1, tags);
        Duration.Record(elapsed.TotalMilliseconds, tags);
    }
}
