using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodeAgent.Index.Counting;
using NodeAgent.Index.Scheduling;

namespace NodeAgent.Service;

/// <summary>
/// The service's catalogue work: the configured sources synced on their schedules, and the count
/// engine rebuilt after changes. On stop, a crawl under way stops at once (its pass is saved with
/// every window and resumes at the next start) and what is committed is checkpointed.
/// </summary>
internal sealed partial class CatalogueWorker(ServiceCatalogue catalogue, SyncScheduler scheduler, LiveCountEngine engine, ILogger<CatalogueWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var series = engine.Current.SeriesCount;
        LogStarted(logger, catalogue.Catalogue.Path, series, catalogue.SourceNames.Count);
        try
        {
            await Task.WhenAll(scheduler.RunAsync(stoppingToken), RunEngineAsync(stoppingToken)).ConfigureAwait(false);
        }
        finally
        {
            catalogue.Catalogue.Checkpoint();
            LogStopped(logger);
        }
    }

    private async Task RunEngineAsync(CancellationToken stoppingToken)
    {
        try
        {
            await engine.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Catalogue {Path}: {Series} series; {Sources} source(s) scheduled")]
    private static partial void LogStarted(ILogger logger, string path, int series, int sources);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Catalogue work stopped; syncs under way resume at the next start")]
    private static partial void LogStopped(ILogger logger);
}
