using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using NodeAgent.Federation.V1;

namespace NodeAgent.Hub;

/// <summary>
/// The hub's end of the tunnels: a node connects, says who it is, and is registered until its stream
/// ends; the hub answers its heartbeats with heartbeats.
/// </summary>
public sealed class HubTunnelService(TunnelRegistry registry) : HubTunnel.HubTunnelBase
{
    public override async Task Connect(IAsyncStreamReader<NodeToHub> requestStream, IServerStreamWriter<HubToNode> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(context);
        if (!await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false) || requestStream.Current.KindCase != NodeToHub.KindOneofCase.Hello
            || requestStream.Current.Hello.SiteId is not { Length: > 0 and <= 128 } site)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "A tunnel starts with a hello naming the site."));
        }

        using var session = new TunnelSession(responseStream);
        registry.Register(site, session);
        try
        {
            using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, session.Closed);
            while (await requestStream.MoveNext(ended.Token).ConfigureAwait(false))
            {
                var message = requestStream.Current;
                switch (message.KindCase)
                {
                    case NodeToHub.KindOneofCase.Reply:
                        session.Deliver(message.Reply);
                        break;
                    case NodeToHub.KindOneofCase.Heartbeat:
                        await session.SendAsync(new HubToNode { Heartbeat = new Heartbeat { Sent = Timestamp.FromDateTime(DateTime.UtcNow) } }, ended.Token).ConfigureAwait(false);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (session.Closed.IsCancellationRequested || context.CancellationToken.IsCancellationRequested)
        {
            // Replaced by the node's new stream, or the hub is stopping.
        }
        finally
        {
            registry.Unregister(site, session);
        }
    }
}
