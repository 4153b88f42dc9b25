using Microsoft.Extensions.Hosting;
using NodeAgent.Federation.Tunnel;

namespace NodeAgent.Service;

/// <summary>Keeps the tunnel to the hub open for as long as the service runs (outbound-only mode).</summary>
internal sealed class TunnelWorker(TunnelClient client) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => client.RunAsync(stoppingToken);
}
