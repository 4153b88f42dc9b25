using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using NodeAgent.Federation.V1;

namespace NodeAgent.Hub;

/// <summary>
/// The hub's side: one query fanned out to many nodes at once, each with its own deadline, so that a
/// node that is down or slow is reported and the others still answer.
/// </summary>
public sealed class HubClient : IDisposable
{
    private readonly List<(Uri Address, GrpcChannel Channel)> _nodes;

    /// <param name="nodes">The nodes' addresses: https for mutual TLS, http for development nodes on loopback.</param>
    /// <param name="tls">The hub's client certificate and the CA that issues the nodes' certificates.</param>
    public HubClient(IEnumerable<Uri> nodes, HubTls? tls = null)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        _nodes = nodes.Select(n => (n, GrpcChannel.ForAddress(n, new GrpcChannelOptions { HttpHandler = Handler(tls) }))).ToList();
    }

    private static SocketsHttpHandler Handler(HubTls? tls)
    {
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, ConnectTimeout = TimeSpan.FromSeconds(10) };
        if (tls is not null)
        {
            handler.SslOptions.ClientCertificates = new System.Security.Cryptography.X509Certificates.X509CertificateCollection { tls.Certificate };
            handler.SslOptions.RemoteCertificateValidationCallback = NodeAgent.Federation.Security.ServerCertificateCheck.For(tls.NodeCas);
        }

        return handler;
    }

    public async Task<IReadOnlyList<NodeAnswer<T>>> FanOutAsync<T>(Func<NodeFederation.NodeFederationClient, CallOptions, Task<T>> call, TimeSpan deadline, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        var calls = _nodes.Select(async node =>
        {
            var watch = Stopwatch.StartNew();
            try
            {
                var options = new CallOptions(deadline: DateTime.UtcNow + deadline, cancellationToken: cancellationToken);
                var answer = await call(new NodeFederation.NodeFederationClient(node.Channel), options).ConfigureAwait(false);
                return new NodeAnswer<T>(node.Address, answer, null, watch.Elapsed);
            }
            catch (RpcException e)
            {
                var problem = e.StatusCode switch
                {
                    StatusCode.DeadlineExceeded => $"no answer within {deadline.TotalSeconds:0.#} s",
                    StatusCode.Unavailable => $"unreachable ({e.Status.Detail})",
                    _ => $"{e.StatusCode}: {e.Status.Detail}",
                };
                return new NodeAnswer<T>(node.Address, default, problem, watch.Elapsed);
            }
        });
        return await Task.WhenAll(calls).ConfigureAwait(false);
    }

    public void Dispose()
    {
        foreach (var (_, channel) in _nodes)
        {
            channel.Dispose();
        }
    }
}

/// <summary>The hub's certificate (with its key) and the CAs that issue the nodes' certificates.</summary>
public sealed record HubTls(System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate, System.Security.Cryptography.X509Certificates.X509Certificate2Collection NodeCas)
{
    /// <summary>Loads PEM files as a hub's operator has them.</summary>
    public static HubTls Load(string certificateFile, string keyFile, string caFile)
    {
        using var pem = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
        var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(pem.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12), null);
        var cas = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
        cas.ImportFromPemFile(caFile);
        return new HubTls(certificate, cas);
    }
}

/// <summary>One node's answer, or why there is none.</summary>
public sealed record NodeAnswer<T>(Uri Node, T? Answer, string? Problem, TimeSpan Elapsed);
