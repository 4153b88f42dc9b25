using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace NodeAgent.Pseudonymisation.Batch;

/// <summary>
/// Traces and metrics of pseudonymisation for OpenTelemetry (source and meter
/// <c>NodeAgent.Pseudonymisation</c>): files by outcome and bytes read; a span per job. No file
/// name (names may carry patient data), no attribute value.
/// </summary>
public static class PseudonymisationTelemetry
{
    public const string Name = "NodeAgent.Pseudonymisation";

    public static ActivitySource Source { get; } = new(Name);

    private static readonly Meter Meter = new(Name);
    private static readonly Counter<long> Files = Meter.CreateCounter<long>("nodeagent.pseudonymisation.files", description: "Files pseudonymised, by outcome (done, already_done, quarantined, failed).");
    private static readonly Counter<long> Bytes = Meter.CreateCounter<long>("nodeagent.pseudonymisation.bytes", unit: "By", description: "Bytes of DICOM read for pseudonymisation.");

    internal static void Record(string outcome, long bytes)
    {
        Files.Add(1, new TagList { { "outcome", outcome } });
        Bytes.Add(bytes);
    }
}
