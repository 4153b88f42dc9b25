using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodeAgent.Federation.Disclosure;
using NodeAgent.Federation.Security;
using NodeAgent.Federation.Service;

namespace NodeAgent.Testing.Federation;

/// <summary>
/// A federation node in this process: <see cref="NodeFederationService"/> on a real loopback socket
/// (plain-text HTTP/2, or mutual TLS), over a catalogue the test gives.
/// </summary>
public sealed class TestNode : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestNode(WebApplication app)
    {
        _app = app;
        Address = new Uri(app.Urls.First());
    }

    public Uri Address { get; }

    public static async Task<TestNode> StartAsync(INodeCatalogue catalogue, TestNodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        options ??= new TestNodeOptions();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = HostArguments.NoConfigurationWatch });
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, options.Port, listen =>
        {
            if (options.Tls is { } tls)
            {
                MutualTls.Configure(listen, tls.Certificate, new ClientCertificateCheck(tls.ClientCas, TimeProvider.System));
            }
            else
            {
                listen.Protocols = HttpProtocols.Http2;
            }
        }));
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc(o =>
        {
            if (options.AdmitRequesters || options.Tls is not null)
            {
                o.Interceptors.Add<RequesterInterceptor>();
            }
        });
        if (options.Tls is { } allowed)
        {
            builder.Services.AddSingleton(allowed.Requesters);
        }

        builder.Services.AddSingleton(catalogue);
        builder.Services.AddSingleton(options.Releaser ?? new CountReleaser(new DisclosurePolicy(), new byte[32]));
        builder.Services.AddSingleton(options.Federation);
        if (options.Ledger is not null)
        {
            builder.Services.AddSingleton(options.Ledger);
        }

        if (options.Descriptors is not null)
        {
            builder.Services.AddSingleton(options.Descriptors);
        }

        var app = builder.Build();
        app.MapGrpcService<NodeFederationService>();
        await app.StartAsync().ConfigureAwait(false);
        return new TestNode(app);
    }

    public async Task StopAsync() => await _app.StopAsync().ConfigureAwait(false);

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}

/// <summary>How a <see cref="TestNode"/> is set up; the defaults are a development node with the default policy.</summary>
public sealed record TestNodeOptions
{
    public int Port { get; init; }

    public CountReleaser? Releaser { get; init; }

    public FederationOptions Federation { get; init; } = new();

    /// <summary>Requesters admitted by the interceptor (the development requester without TLS); implied by <see cref="Tls"/>.</summary>
    public bool AdmitRequesters { get; init; }

    public NodeTls? Tls { get; init; }

    public PrivacyLedger? Ledger { get; init; }

    public DescriptorReleaser? Descriptors { get; init; }
}

/// <summary>The node's certificate, the CAs of its requesters, and who is admitted.</summary>
public sealed record NodeTls(X509Certificate2 Certificate, X509Certificate2Collection ClientCas, RequesterAllowList Requesters);
