using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodeAgent.Dicom.Network.Server;
using NodeAgent.Dicom.Network.Storage;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Sources;
using NodeAgent.Pseudonymisation.Keys;
using NodeAgent.Service.Configuration;

namespace NodeAgent.Service;

/// <summary>
/// The <c>store</c> sources: a C-ECHO/C-STORE listener each, writing what a PACS or modality pushes
/// into the source's folder and indexing each instance as it arrives. A file is acknowledged to the
/// sender only once it is written (so nothing acknowledged is lost); if indexing it fails, the
/// source's full sync (a read of its folder) finds it later. On stop, associations under way get ten
/// seconds to finish and the arrivals are checkpointed.
/// </summary>
internal sealed partial class StoreListenerWorker(LoadedConfiguration configuration, ServiceCatalogue catalogue, PseudonymGenerator pseudonyms, ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    private readonly ILogger _logger = loggers.CreateLogger<StoreListenerWorker>();
    private static readonly TimeSpan FlushEvery = TimeSpan.FromSeconds(2);
    private readonly List<(DicomServer Server, StoreArrivals Arrivals, ServiceProvider Services)> _listeners = [];
    private readonly CancellationTokenSource _stopping = new();
    private Task _flushing = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var source in configuration.Sources.Where(s => s.Kind == "store"))
        {
            var s = source.Settings;
            var handler = new FolderStoreHandler(s.Path!);
            var arrivals = new StoreArrivals(source.Name, catalogue.Catalogue, pseudonyms);
            var name = source.Name;
            handler.InstanceStored += path =>
            {
                if (arrivals.TryIndex(path) is { } problem)
                {
                    LogNotIndexed(_logger, name, problem);
                }
            };
            var services = new ServiceCollection().AddSingleton<IDicomStoreHandler>(handler).AddSingleton(loggers).AddLogging().BuildServiceProvider();
            var server = new DicomServer(new DicomServerOptions { AeTitle = s.AeTitle, Port = s.Port, BindAddress = IPAddress.Parse(s.Bind) }, services, loggers.CreateLogger<DicomServer>());
            server.Start();
            _listeners.Add((server, arrivals, services));
            LogListening(_logger, name, s.AeTitle, s.Bind, server.Port);
        }

        if (_listeners.Count > 0)
        {
            _flushing = FlushAsync(_stopping.Token);
        }

        return Task.CompletedTask;
    }

    // A few arrivals (fewer than a batch) are answered within seconds too, not at the fiftieth.
    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(FlushEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                foreach (var (_, arrivals, _) in _listeners.Where(l => l.Arrivals.HasPending))
                {
                    try
                    {
                        arrivals.Flush();
                    }
                    catch (CatalogueException e)
                    {
                        LogNotIndexed(_logger, arrivals.Name, e.GetType().Name);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the last flush is StopAsync's.
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _flushing.ConfigureAwait(false);
        foreach (var (server, arrivals, _) in _listeners)
        {
            await server.StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            arrivals.Flush();
            LogStopped(_logger, arrivals.Name, arrivals.Indexed);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Dispose();
        foreach (var (server, _, services) in _listeners)
        {
            await server.DisposeAsync().ConfigureAwait(false);
            await services.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Store source {Source}: C-STORE to {AeTitle} on {Bind}:{Port}")]
    private static partial void LogListening(ILogger logger, string source, string aeTitle, string bind, int port);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Store source {Source}: a received file was stored but not indexed ({Error}); the next full sync indexes it")]
    private static partial void LogNotIndexed(ILogger logger, string source, string error);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Store source {Source} stopped; {Indexed} instances newly indexed since start")]
    private static partial void LogStopped(ILogger logger, string source, int indexed);
}
