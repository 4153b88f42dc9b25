using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodeAgent.Dicom.Network.Client;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Counting;
using NodeAgent.Index.Scheduling;
using NodeAgent.Pseudonymisation.Keys;
using NodeAgent.Service.Configuration;
using NodeAgent.Service.Internal;

namespace NodeAgent.Service;

/// <summary>
/// Builds the NodeAgent service (<c>nodeagent run</c>): a host that runs as a Windows service or a
/// systemd <c>Type=notify</c> service as well as in a console. What can be wrong with the set-up (the
/// configuration, the site secret, the catalogue file) is checked before the host starts, so that the
/// service stops at once with one message instead of starting half-working.
/// </summary>
internal static class NodeAgentService
{
    public static IHost Build(LoadedConfiguration configuration, SiteSecret secret, SiteCatalogue catalogue, Action<ILoggingBuilder>? logging = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = false, ContentRootPath = Directory.GetCurrentDirectory() });
        builder.Configuration.AddConfiguration(configuration.Root);
        builder.Services.AddWindowsService(o => o.ServiceName = "NodeAgent");
        builder.Services.AddSystemd();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        logging?.Invoke(builder.Logging);

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
        return builder.Build();
    }
}
