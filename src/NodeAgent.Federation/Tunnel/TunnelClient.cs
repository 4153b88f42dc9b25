using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using NodeAgent.Federation.Audit;
using NodeAgent.Federation.Security;
using NodeAgent.Federation.Service;
using NodeAgent.Federation.Tunnel.Internal;
using NodeAgent.Federation.V1;
using Polly;
using Polly.Retry;

namespace NodeAgent.Federation.Tunnel;

/// <summary>
/// Outbound-only mode: the node dials the hub and keeps one bidirectional stream open; the hub's calls
/// come down it and are answered by the same service, with the same roles, disclosure control, ledger
/// and audit as direct calls (the hub is one configured requester). Heartbeats both ways; when the
/// stream breaks, or the hub falls silent for three heartbeats, the node dials again with exponential
/// back-off and jitter (Polly), for as long as the service runs.
/// </summary>
public sealed partial class TunnelClient(TunnelOptions options, NodeFederationService service, ILogger<TunnelClient> logger, AuditLog? audit = null, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Whether a stream to the hub is open now.</summary>
    public bool IsConnected { get; private set; }

    /// <summary>How many times a stream was opened (the first and each reconnection).</summary>
    public int Connections { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => !cancellationToken.IsCancellationRequested),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.ReconnectDelay,
                MaxDelay = options.MaxReconnectDelay,
                OnRetry = args =>
                {
                    var seconds = args.RetryDelay.TotalSeconds;
                    LogReconnecting(logger, options.Hub, args.Outcome.Exception?.GetType().Name ?? "closed", seconds);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        try
        {
            await pipeline.ExecuteAsync(async ct => await SessionAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task SessionAsync(CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(options.Hub, new GrpcChannelOptions { HttpHandler = options.CreateHandler() });
        var client = new HubTunnel.HubTunnelClient(channel);
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var call = client.Connect(cancellationToken: session.Token);
        using var writeLock = new SemaphoreSlim(1, 1);
        async Task Send(NodeToHub message)
        {
            await writeLock.WaitAsync(session.Token).ConfigureAwait(false);
            try
            {
                await call.RequestStream.WriteAsync(message, session.Token).ConfigureAwait(false);
            }
            finally
            {
                writeLock.Release();
            }
        }

        await Send(new NodeToHub { Hello = new TunnelHello { SiteId = options.SiteId, Version = typeof(TunnelClient).Assembly.GetName().Version?.ToString(3) ?? "0.0.0" } }).ConfigureAwait(false);
        IsConnected = true;
        Connections++;
        LogConnected(logger, options.Hub);
        var lastHeard = _time.GetTimestamp();
        var heartbeats = Task.Run(
            async () =>
            {
                while (!session.IsCancellationRequested)
                {
                    await Task.Delay(options.Heartbeat, _time, session.Token).ConfigureAwait(false);
                    if (_time.GetElapsedTime(Interlocked.Read(ref lastHeard)) > options.Heartbeat * 3)
                    {
                        LogSilent(logger, options.Hub);
                        await session.CancelAsync().ConfigureAwait(false);
                        return;
                    }

                    await Send(new NodeToHub { Heartbeat = new Heartbeat { Sent = Timestamp.FromDateTimeOffset(_time.GetUtcNow()) } }).ConfigureAwait(false);
                }
            },
            session.Token);
        try
        {
            await foreach (var message in call.ResponseStream.ReadAllAsync(session.Token).ConfigureAwait(false))
            {
                Interlocked.Exchange(ref lastHeard, _time.GetTimestamp());
                if (message.KindCase == HubToNode.KindOneofCase.Call)
                {
                    // Answered concurrently: a slow facet does not hold up the next count.
                    var tunnelled = message.Call;
                    _ = Task.Run(async () => await Send(await AnswerAsync(tunnelled, session.Token).ConfigureAwait(false)).ConfigureAwait(false), session.Token);
                }
            }
        }
        finally
        {
            IsConnected = false;
            await session.CancelAsync().ConfigureAwait(false);
            try
            {
                await heartbeats.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The session ended.
            }
        }

        // The hub closed the stream: dial again (the retry strategy waits first).
        throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, "The hub closed the tunnel."));
    }

    /// <summary>One tunnelled call answered as a direct one would be: role, handler, audit line.</summary>
    internal async Task<NodeToHub> AnswerAsync(TunnelCall call, CancellationToken cancellationToken)
    {
        var method = call.RequestCase switch
        {
            TunnelCall.RequestOneofCase.Count => "Count",
            TunnelCall.RequestOneofCase.Facets => "Facets",
            TunnelCall.RequestOneofCase.NodeInfo => "GetNodeInfo",
            _ => "Unknown",
        };
        var context = new TunnelCallContext("/nodeagent.federation.v1.NodeFederation/" + method, DateTime.UtcNow.AddMinutes(1), cancellationToken);
        context.UserState[RequesterInterceptor.UserStateKey] = options.Requester;
        var reply = new TunnelReply { Id = call.Id };
        try
        {
            var role = method switch { "Count" => FederationRoles.Count, "Facets" => FederationRoles.Facets, _ => null };
            if (role is not null && !options.Requester.May(role))
            {
                throw new RpcException(new Grpc.Core.Status(StatusCode.PermissionDenied, $"Requester '{options.Requester.Name}' may not ask for {role} at this site."));
            }

            switch (call.RequestCase)
            {
                case TunnelCall.RequestOneofCase.Count:
                    reply.Count = await service.Count(call.Count, context).ConfigureAwait(false);
                    Audit(method, reply.Count.QueryHash, "answered", reply.Count);
                    break;
                case TunnelCall.RequestOneofCase.Facets:
                    reply.Facets = await service.Facets(call.Facets, context).ConfigureAwait(false);
                    Audit(method, reply.Facets.QueryHash, "answered", null);
                    break;
                case TunnelCall.RequestOneofCase.NodeInfo:
                    reply.NodeInfo = await service.GetNodeInfo(call.NodeInfo, context).ConfigureAwait(false);
                    Audit(method, null, "answered", null);
                    break;
                default:
                    throw new RpcException(new Grpc.Core.Status(StatusCode.Unimplemented, "This node does not know that call."));
            }
        }
        catch (RpcException e)
        {
            reply.Failure = new TunnelFailure { Code = (int)e.StatusCode, Message = e.Status.Detail };
            Audit(method, null, "refused: " + e.StatusCode, null);
        }

        return new NodeToHub { Reply = reply };
    }

    private void Audit(string method, string? hash, string outcome, CountResponse? count) =>
        audit?.Record(new AuditEntry(_time.GetUtcNow(), options.Requester.Name, method, hash, outcome, count is null ? null : new Dictionary<string, string>
        {
            ["patients"] = count.Patients.ToString(),
            ["studies"] = count.Studies.ToString(),
            ["series"] = count.Series.ToString(),
            ["instances"] = count.Instances.ToString(),
        }));

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Tunnel to the hub {Hub} open")]
    private static partial void LogConnected(ILogger logger, Uri hub);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Tunnel to the hub {Hub} lost ({Reason}); dialling again in {Seconds:F1} s")]
    private static partial void LogReconnecting(ILogger logger, Uri hub, string reason, double seconds);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "The hub {Hub} fell silent for three heartbeats; closing the tunnel to dial again")]
    private static partial void LogSilent(ILogger logger, Uri hub);
}

/// <summary>Where the hub is, how to reach it, and the hub's identity and roles at this node.</summary>
public sealed record TunnelOptions
{
    public required Uri Hub { get; init; }

    public required string SiteId { get; init; }

    /// <summary>The hub as a requester here (its name in the audit log and ledger, its roles).</summary>
    public required Requester Requester { get; init; }

    /// <summary>Builds the HTTP handler (mutual TLS with the node's certificate, the hub's CA), or plain text in development.</summary>
    public Func<HttpMessageHandler> CreateHandler { get; init; } = () => new SocketsHttpHandler();

    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromMinutes(1);
}
