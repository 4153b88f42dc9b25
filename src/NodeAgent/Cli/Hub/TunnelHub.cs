using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodeAgent.Federation.Security;
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
        var builder = WebApplication.CreateSlimBuilder();
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

    public async Task<IReadOnlyList<NodeAnswer<CountResponse>>> CountAsync(CountRequest request, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var calls = Registry.Sites.Select(async site =>
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var node = new Uri($"tunnel://{site}");
            try
            {
                var reply = await Registry.CallAsync(site, id => new TunnelCall { Id = id, Count = request }, deadline, cancellationToken).ConfigureAwait(false);
                return reply.ResponseCase == TunnelReply.ResponseOneofCase.Count
                    ? new NodeAnswer<CountResponse>(node, reply.Count, null, watch.Elapsed)
                    : new NodeAnswer<CountResponse>(node, null, $"{(Grpc.Core.StatusCode)reply.Failure.Code}: {reply.Failure.Message}", watch.Elapsed);
            }
            catch (Grpc.Core.RpcException e)
            {
                return new NodeAnswer<CountResponse>(node, null, e.Status.Detail, watch.Elapsed);
            }
        });
        return await Task.WhenAll(calls).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
