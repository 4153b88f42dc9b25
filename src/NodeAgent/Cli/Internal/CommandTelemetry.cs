using NodeAgent.Pseudonymisation.Batch;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace NodeAgent.Cli.Internal;

/// <summary>
/// OpenTelemetry for a command that runs as a job (a pseudonymisation run), when the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (with <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> and the SDK's
/// other settings): the job's span and its metrics (files by outcome, bytes) go to the collector, the
/// last of them when the command ends. Without it, nothing is set up and nothing is sent.
/// </summary>
internal sealed class CommandTelemetry : IDisposable
{
    private readonly TracerProvider _traces;
    private readonly MeterProvider _metrics;

    private CommandTelemetry(string command)
    {
        var resource = ResourceBuilder.CreateDefault().AddService("nodeagent", serviceVersion: typeof(CommandTelemetry).Assembly.GetName().Version?.ToString(3)).AddAttributes([new("nodeagent.command", command)]);
        _traces = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource(PseudonymisationTelemetry.Name).AddOtlpExporter().Build();
        _metrics = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddMeter(PseudonymisationTelemetry.Name).AddOtlpExporter().Build();
    }

    /// <summary>Starts exporting for <paramref name="command"/> when a collector is configured; null otherwise.</summary>
    public static CommandTelemetry? StartIfConfigured(string command) =>
        string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT")) ? null : new CommandTelemetry(command);

    /// <summary>Sends what is left (the job's span, the final counts) before the process ends.</summary>
    public void Dispose()
    {
        _traces.Dispose();
        _metrics.Dispose();
    }
}
