using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using NodeAgent.Federation.V1;

namespace NodeAgent.Hub;

/// <summary>
/// The hub's end of the tunnels: a node connects, says who it is, and is registered until its stream
/// ends or it falls silent; the hub answers its heartbeats. Over mutual TLS a node may only speak for
/// the site its certificate names (its common name): a certificate cannot push another site off.
/// </summary>
public sealed class HubTunnelService(TunnelRegistry registry) : HubTunnel.HubTunnelBase
{
    /// <summary>A node heard from less often than this is taken for gone (it sends a heartbeat every 15 s by default).</summary>
    public static TimeSpan Silence { get; set; } = TimeSpan.FromSeconds(60);

    public override async Task Connect(IAsyncStreamReader<NodeToHub> requestStream, IServerStreamWriter<HubToNode> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(context);
        using var hello = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        hello.CancelAfter(Silence);
        if (!await requestStream.MoveNext(hello.Token).ConfigureAwait(false) || requestStream.Current.KindCase != NodeToHub.KindOneofCase.Hello
            || requestStream.Current.Hello.SiteId is not { } site || !TunnelRegistry.IsValidSite(site))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "A tunnel starts with a hello naming the site (letters, digits, '.', '-', '_')."));
        }

        var certificate = context.GetHttpContext().Connection.ClientCertificate;
        if (certificate is not null && !string.Equals(certificate.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false), site, StringComparison.OrdinalIgnoreCase))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "The site named in the hello is not the one the client certificate names."));
        }

        using var session = new TunnelSession(responseStream);
        if (!registry.Register(site, session))
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, "This hub has as many sites as it takes."));
        }

        try
        {
            using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, session.Closed);
            while (true)
            {
                // Silent for too long (a half-open connection): the node is taken for gone.
                using var heard = CancellationTokenSource.CreateLinkedTokenSource(ended.Token);
                heard.CancelAfter(Silence);
                if (!await requestStream.MoveNext(heard.Token).ConfigureAwait(false))
                {
                    break;
                }

                var message = requestStream.Current;
                switch (message.KindCase)
                {
                    case NodeToHub.KindOneofCase.Reply:
                        session.Deliver(message.Reply);
                        break;
                    case NodeToHub.KindOneofCase.Heartbeat:
                        // Answered without holding up the reading: a node that stops reading cannot stall it.
                        _ = HeartbeatAsync(session, ended.Token);
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Replaced by the node's new stream, silent, or the hub is stopping.
        }
        finally
        {
            session.Close();
            registry.Unregister(site, session);
        }
    }

    private static async Task HeartbeatAsync(TunnelSession session, CancellationToken cancellationToken)
    {
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(TimeSpan.FromSeconds(10));
            await session.SendAsync(new HubToNode { Heartbeat = new Heartbeat { Sent = Timestamp.FromDateTime(DateTime.UtcNow) } }, limit.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A heartbeat that cannot be sent means the session is ending; its reader notices.
        catch (Exception)
#pragma warning restore CA1031
        {
            session.Close();
        }
    }
}
