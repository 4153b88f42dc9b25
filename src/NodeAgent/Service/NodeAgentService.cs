using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodeAgent.Dicom.Network.Client;
using NodeAgent.Federation.Audit;
using NodeAgent.Federation.Disclosure;
using NodeAgent.Federation.Security;
using NodeAgent.Federation.Service;
using NodeAgent.Federation.Tunnel;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Counting;
using NodeAgent.Index.Scheduling;
using NodeAgent.Pseudonymisation.Keys;
using NodeAgent.Service.Configuration;
using NodeAgent.Service.Internal;

namespace NodeAgent.Service;

/// <summary>
/// Builds the NodeAgent service (<c>nodeagent run</c>): a host that runs as a Windows service or a
/// systemd <c>Type=notify</c> service as well as in a console, syncing the catalogue and answering
/// the hub over gRPC. What can be wrong with the set-up (the configuration, the site secret, the
/// catalogue file) is checked before the host starts, so that the service stops at once with one
/// message instead of starting half-working.
/// </summary>
internal static partial class NodeAgentService
{
    public static IHost Build(LoadedConfiguration configuration, SiteSecret secret, SiteCatalogue catalogue)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = Directory.GetCurrentDirectory(), Args = HostArguments.NoConfigurationWatch });
        builder.Configuration.AddConfiguration(configuration.Root);
        builder.Services.AddWindowsService(o => o.ServiceName = "NodeAgent");
        builder.Services.AddSystemd();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));

        var pseudonyms = new PseudonymGenerator(secret);
        builder.Services.AddSingleton(configuration);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(new ServiceCatalogue(catalogue, configuration.Sources.Select(s => s.Name).ToList()));
        builder.Services.AddSingleton(_ => new DicomPeerRegistry());
        builder.Services.AddSingleton(_ => new HttpClient { Timeout = TimeSpan.FromMinutes(2) });
        builder.Services.AddSingleton(sp => new LiveCountEngine(catalogue, configuration.RefreshInterval, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp =>
        {
            var sources = configuration.Sources
                .Select(s => new ScheduledSource(
                    ConfiguredSources.Create(s, pseudonyms, sp.GetRequiredService<DicomPeerRegistry>(), sp.GetRequiredService<HttpClient>()),
                    s.Schedule,
                    s.Settings.Watch && Directory.Exists(s.Settings.Path) ? new FolderWatch(s.Settings.Path!, TimeSpan.FromSeconds(5), sp.GetRequiredService<TimeProvider>()) : null))
                .ToList();
            return new SyncScheduler(catalogue, sources, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SyncScheduler>>())
            {
                MaxConcurrentSyncs = configuration.Settings.Sync.MaxConcurrentSyncs,
            };
        });
        builder.Services.AddHostedService<CatalogueWorker>();
        builder.Services.AddSingleton(pseudonyms);
        builder.Services.AddHostedService<StoreListenerWorker>();

        ServiceTelemetry.Add(builder, configuration);
        var endpoint = configuration.Federation;
        var health = configuration.HealthEndpoint;
        var prometheus = configuration.PrometheusEndpoint;
        if (endpoint?.Address is not null || health is not null || prometheus is not null)
        {
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                if (endpoint?.Address is { } address)
                {
                    if (endpoint.Tls is { } tls)
                    {
                        var check = new ClientCertificateCheck(tls.ClientCas, TimeProvider.System);
                        kestrel.Listen(address, listen => MutualTls.Configure(listen, tls.Certificate, check));
                    }
                    else
                    {
                        kestrel.Listen(address, o => o.Protocols = HttpProtocols.Http2);
                    }
                }

                if (health is not null)
                {
                    // Plain HTTP/1.1 for probes and monitoring (curl, a load balancer, systemd checks).
                    kestrel.Listen(health, o => o.Protocols = HttpProtocols.Http1);
                }

                if (prometheus is not null)
                {
                    kestrel.Listen(prometheus, o => o.Protocols = HttpProtocols.Http1);
                }
            });
        }
        else
        {
            // Nothing listens unless asked: no default port is ever opened.
            builder.Services.AddSingleton<Microsoft.AspNetCore.Hosting.Server.IServer, NoListenerServer>();
        }

        if (endpoint is not null)
        {
            var federation = configuration.Settings.Federation;
            var audit = AuditLog.Open(AuditFile(configuration, catalogue), secret.DeriveKey("audit-log"));
            builder.Services.AddSingleton(_ => audit);
            var ledger = PrivacyLedger.Open(Path.Combine(Path.GetDirectoryName(catalogue.Path)!, "privacy-ledger.jsonl"), federation.Disclosure.BudgetPerMonth, TimeProvider.System);
            builder.Services.AddSingleton(_ => ledger);
            builder.Services.AddSingleton(_ => new RequesterRateLimiter(federation.Disclosure.RequestsPerSecond, federation.Disclosure.Burst));
            builder.Services.AddGrpc(o =>
            {
                // Outermost first: the audit line around everything, refusals included; then who asks.
                o.Interceptors.Add<AuditInterceptor>();
                o.Interceptors.Add<RequesterInterceptor>();
            });

            // The interceptors and the service hold no per-call state: registered, one of each serves
            // every call (gRPC otherwise constructs them anew for each call, thousands a second).
            builder.Services.AddSingleton<AuditInterceptor>();
            builder.Services.AddSingleton<RequesterInterceptor>();
            builder.Services.AddSingleton<NodeFederationService>();
            if (endpoint.Requesters is { } requesters)
            {
                builder.Services.AddSingleton(requesters);
            }

            builder.Services.AddGrpcHealthChecks();
            builder.Services.AddGrpcReflection();
            builder.Services.AddSingleton<INodeCatalogue>(sp => new LiveNodeCatalogue(sp.GetRequiredService<LiveCountEngine>(), catalogue));
            builder.Services.AddSingleton(new CountReleaser(
                new DisclosurePolicy { Threshold = federation.Disclosure.Threshold, Rounding = federation.Disclosure.Rounding, Epsilon = federation.Disclosure.Epsilon },
                secret.DeriveKey("disclosure-noise")));
            builder.Services.AddSingleton(new DescriptorReleaser(secret.DeriveKey("search-study-key")));
            var federationOptions = new FederationOptions
            {
                SiteId = federation.SiteId ?? Environment.MachineName,
                FacetsEnabled = federation.FacetsEnabled,
                SearchEnabled = federation.SearchEnabled,
                SearchMaxResults = federation.SearchMaxResults,
            };
            builder.Services.AddSingleton(federationOptions);
            if (endpoint.Tunnel is { } tunnel)
            {
                builder.Services.AddSingleton(sp => new TunnelClient(
                    new TunnelOptions
                    {
                        Hub = tunnel.Hub,
                        SiteId = federationOptions.SiteId,
                        Requester = tunnel.Requester,
                        Heartbeat = tunnel.Heartbeat,
                        CreateHandler = () => TunnelHandler(tunnel, endpoint.Tls),
                    },
                    sp.GetRequiredService<NodeFederationService>(),
                    sp.GetRequiredService<ILogger<TunnelClient>>(),
                    sp.GetRequiredService<AuditLog>(),
                    sp.GetRequiredService<TimeProvider>(),
                    sp.GetRequiredService<RequesterRateLimiter>()));
                builder.Services.AddHostedService<TunnelWorker>();
            }
        }

        var app = builder.Build();
        if (health is not null)
        {
            HealthEndpoints.Map(app, health.Port);
        }

        ServiceTelemetry.Map(app, configuration);

        if (endpoint is not null)
        {
            app.MapGrpcService<NodeFederationService>();
            app.MapGrpcHealthChecksService();
            app.MapGrpcReflectionService();
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("NodeAgent.Federation");
            var listening = endpoint.Address?.ToString() ?? $"no inbound address (tunnel to {endpoint.Tunnel?.Hub})";
            var auditLog = app.Services.GetRequiredService<AuditLog>();
            void LogHead(string when)
            {
                var (sequence, mac) = auditLog.Head;
                LogAuditHead(logger, when, auditLog.Path, sequence, mac[..16]);
            }

            app.Lifetime.ApplicationStarted.Register(() => LogHead("start"));
            app.Lifetime.ApplicationStopping.Register(() => LogHead("stop"));
            if (endpoint.Tls is { } tls)
            {
                var requesters = endpoint.Requesters!.Entries.Count;
                var expires = tls.Certificate.NotAfter.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
                app.Lifetime.ApplicationStarted.Register(() => LogFederationTls(logger, listening, requesters, expires));
            }
            else if (endpoint.Address is not null)
            {
                app.Lifetime.ApplicationStarted.Register(() => LogFederation(logger, listening));
            }

            if (endpoint.Tunnel is { } dialled)
            {
                var hubAddress = dialled.Hub.ToString();
                app.Lifetime.ApplicationStarted.Register(() => LogTunnel(logger, hubAddress));
            }
        }

        return app;
    }

    // The node dials the hub with its own certificate, and trusts the hub's CA only.
    private static SocketsHttpHandler TunnelHandler(ResolvedTunnel tunnel, FederationTls? tls)
    {
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(15), KeepAlivePingDelay = TimeSpan.FromSeconds(30), KeepAlivePingTimeout = TimeSpan.FromSeconds(15) };
        if (tunnel.Hub.Scheme == Uri.UriSchemeHttps && tls is not null)
        {
            var cas = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
            cas.ImportFromPemFile(tunnel.HubCaFile!);
            handler.SslOptions.ClientCertificates = [tls.Certificate];
            handler.SslOptions.RemoteCertificateValidationCallback = ServerCertificateCheck.For(cas);
        }

        return handler;
    }

    /// <summary>The audit log's path: configured, or audit.log beside the catalogue.</summary>
    public static string AuditFile(LoadedConfiguration configuration, SiteCatalogue catalogue) =>
        Path.GetFullPath(configuration.Settings.Federation.AuditFile ?? Path.Combine(Path.GetDirectoryName(catalogue.Path)!, "audit.log"));

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Federation: plain-text gRPC on {Endpoint} (development mode). Ask it: nodeagent hub count --node http://{Endpoint}")]
    private static partial void LogFederation(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Audit log at {When}: {Path}, last entry {Sequence}, MAC {Mac} (an anchor for nodeagent audit verify: a log cut short shows an earlier last entry)")]
    private static partial void LogAuditHead(ILogger logger, string when, string path, long sequence, string mac);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "Federation: outbound mode, dialling the hub at {Hub}; it asks this node down that connection")]
    private static partial void LogTunnel(ILogger logger, string hub);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Federation: gRPC over mutual TLS on {Endpoint}, {Requesters} requester(s) admitted; the node's certificate expires on {Expires}")]
    private static partial void LogFederationTls(ILogger logger, string endpoint, int requesters, string expires);
}
