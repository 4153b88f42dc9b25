using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodeAgent.Federation.Security;
using NodeAgent.Federation.Service;
using NodeAgent.Federation.V1;
using NodeAgent.Hub;

namespace NodeAgent.Cli.Hub;

/// <summary>The hub CLI's tunnel endpoint: nodes in outbound-only mode dial in here and are asked over their streams.</summary>
internal sealed class TunnelHub : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TunnelHub(WebApplication app, TunnelRegistry registry)
    {
        _app = app;
        Registry = registry;
    }

    public TunnelRegistry Registry { get; }

    public static async Task<TunnelHub> StartAsync(int port, HubTls? tls, CancellationToken cancellationToken)
    {
        var registry = new TunnelRegistry();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = HostArguments.NoConfigurationWatch });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port, listen =>
        {
            if (tls is null)
            {
                listen.Protocols = HttpProtocols.Http2;
            }
            else
            {
                // The hub's certificate towards the nodes; theirs checked against the same CA bundle.
                MutualTls.Configure(listen, tls.Certificate, new ClientCertificateCheck(tls.NodeCas, TimeProvider.System));
            }
        }));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(registry);
        var app = builder.Build();
        app.MapGrpcService<HubTunnelService>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return new TunnelHub(app, registry);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
