using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NodeAgent.Dicom.Network.Client;
using NodeAgent.Federation.Service;
using NodeAgent.Index.Counting;
using NodeAgent.Index.Scheduling;
using NodeAgent.Pseudonymisation.Batch;
using NodeAgent.Service.Configuration;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace NodeAgent.Service;

/// <summary>
/// OpenTelemetry for the service: traces of gRPC calls (ASP.NET Core), syncs, DIMSE operations and
/// pseudonymisation jobs; metrics of federation calls, syncs, associations, pseudonymised files, the
/// catalogue's size and each source's sync lag, and the runtime. Out over OTLP, to a Prometheus scrape
/// endpoint on its own port, or to the console. What the instruments carry is chosen where they are
/// defined: method names, source names, outcomes, counts of work; never a query value, file name or
/// anything a DICOM data set holds.
/// </summary>
internal static class ServiceTelemetry
{
    public const string Name = "NodeAgent";

    private static readonly string[] Sources = [SyncTelemetry.Name, DicomNetworkTelemetry.Name, PseudonymisationTelemetry.Name];
    private static readonly string[] Meters = [Name, SyncTelemetry.Name, DicomNetworkTelemetry.Name, FederationTelemetry.Name, PseudonymisationTelemetry.Name];

    public static void Add(WebApplicationBuilder builder, LoadedConfiguration configuration)
    {
        var settings = configuration.Settings.Telemetry;
        var otlp = string.IsNullOrEmpty(settings.OtlpEndpoint) ? null : new Uri(settings.OtlpEndpoint);
        if (otlp is null && configuration.PrometheusEndpoint is null && !settings.Console)
        {
            return;
        }

        // An endpoint set in code is used as it is: over HTTP each signal needs its own path.
        Action<OtlpExporterOptions> Otlp(string signal) => o =>
        {
            var grpc = settings.OtlpProtocol == "grpc";
            o.Protocol = grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
            o.Endpoint = grpc ? otlp! : new Uri(otlp!.ToString().TrimEnd('/') + "/v1/" + signal);
        };

        var version = typeof(ServiceTelemetry).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        var site = configuration.Settings.Federation.SiteId ?? Environment.MachineName;
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("nodeagent", serviceVersion: version, serviceInstanceId: site));

        // Traces only where they go somewhere: with the Prometheus endpoint alone (as packaged), no
        // activity is made and tagged for every call only to be dropped.
        if (otlp is not null || settings.Console)
        {
            telemetry.WithTracing(tracing =>
            {
                tracing.AddSource(Sources).AddAspNetCoreInstrumentation(o =>
                {
                    // Probes and scrapes every few seconds would drown the calls that matter.
                    o.Filter = http => http.Request.Path is not { Value: "/healthz" or "/readyz" or "/metrics" };
                });
                if (otlp is not null)
                {
                    tracing.AddOtlpExporter(Otlp("traces"));
                }

                if (settings.Console)
                {
                    tracing.AddConsoleExporter();
                }
            });
        }

        telemetry
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(Meters).AddAspNetCoreInstrumentation().AddRuntimeInstrumentation();
                if (configuration.PrometheusEndpoint is not null)
                {
                    metrics.AddPrometheusExporter();
                }

                if (otlp is not null)
                {
                    metrics.AddOtlpExporter(Otlp("metrics"));
                }

                if (settings.Console)
                {
                    metrics.AddConsoleExporter();
                }
            });
        if (otlp is not null)
        {
            // The service's log lines (the same [LoggerMessage] events as on the console or the
            // journal: no identifying value in any of them) to the collector too, with their trace.
            telemetry.WithLogging(logging => logging.AddOtlpExporter(Otlp("logs")), options => options.IncludeFormattedMessage = true);
        }

        builder.Services.AddHostedService<CatalogueGauges>();
    }

    public static void Map(WebApplication app, LoadedConfiguration configuration)
    {
        if (configuration.PrometheusEndpoint is { } prometheus)
        {
            // By the port the connection came in on, not the Host header a caller chooses.
            app.UseOpenTelemetryPrometheusScrapingEndpoint(http => http.Connection.LocalPort == prometheus.Port && http.Request.Path == "/metrics");
        }
    }

    /// <summary>The catalogue's size and each source's sync lag, read when a reader collects them.</summary>
    private sealed class CatalogueGauges(LiveCountEngine engine, ServiceCatalogue catalogue, TimeProvider time) : IHostedService, IDisposable
    {
        private readonly Meter _meter = new(Name);

        public Task StartAsync(CancellationToken cancellationToken)
        {
            // Rounded to a hundred: enough to watch the catalogue grow, not to tell one arrival from the next.
            _meter.CreateObservableGauge("nodeagent.catalogue.series", () => (long)Math.Round(engine.Current.SeriesCount / 100.0) * 100, description: "Series the count engine answers from, rounded to 100.");
            _meter.CreateObservableGauge(
                "nodeagent.sync.lag",
                () => catalogue.Catalogue.Sources()
                    .Where(s => s.LastSuccessfulSync is not null)
                    .Select(s => new Measurement<double>((time.GetUtcNow().UtcDateTime - DateTime.SpecifyKind(s.LastSuccessfulSync!.Value, DateTimeKind.Utc)).TotalSeconds, new KeyValuePair<string, object?>("source", s.Id))),
                unit: "s",
                description: "Time since each source's last successful sync.");
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose() => _meter.Dispose();
    }
}
