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
public sealed partial class TunnelClient(TunnelOptions options, NodeFederationService service, ILogger<TunnelClient> logger, AuditLog? audit = null, TimeProvider? time = null, RequesterRateLimiter? rateLimiter = null)
{
    /// <summary>Calls answered at once at most; more are refused (RESOURCE_EXHAUSTED), as a direct endpoint limits its streams.</summary>
    public const int MaxCallsInFlight = 32;

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private int _connected;
    private int _connections;

    /// <summary>Whether a stream to the hub is open now.</summary>
    public bool IsConnected => Volatile.Read(ref _connected) != 0;

    /// <summary>How many times a stream was opened (the first and each reconnection).</summary>
    public int Connections => Volatile.Read(ref _connections);

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
        // Each run of the pipeline dials until a session opens; a session that ends after working
        // starts a fresh run, so the back-off starts again from its first delay.
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await pipeline.ExecuteAsync(async ct => await SessionAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                await Task.Delay(options.ReconnectDelay, _time, cancellationToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Stopping cancels the gRPC call with whatever exception it raises: none of it is a failure then.
            catch (Exception) when (cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                return;
            }
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
        Volatile.Write(ref _connected, 1);
        Interlocked.Increment(ref _connections);
        LogConnected(logger, options.Hub);
        var lastHeard = _time.GetTimestamp();
        var inFlight = new List<Task>();
        using var slots = new SemaphoreSlim(MaxCallsInFlight, MaxCallsInFlight);
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
        var worked = false;
        try
        {
            await foreach (var message in call.ResponseStream.ReadAllAsync(session.Token).ConfigureAwait(false))
            {
                Interlocked.Exchange(ref lastHeard, _time.GetTimestamp());
                worked = true;
                if (message.KindCase != HubToNode.KindOneofCase.Call)
                {
                    continue;
                }

                var tunnelled = message.Call;
                if (!slots.Wait(0, CancellationToken.None) || (rateLimiter is not null && !rateLimiter.TryAcquire(options.Requester.Name)))
                {
                    await Send(Refusal(tunnelled.Id, "Too many calls from the hub at once; retry shortly.")).ConfigureAwait(false);
                    continue;
                }

                // Answered concurrently (a slow facet does not hold up the next count), and tracked,
                // so that the session's resources outlive every answer.
                inFlight.RemoveAll(t => t.IsCompleted);
                inFlight.Add(Task.Run(async () =>
                {
                    try
                    {
                        await Send(await AnswerAsync(tunnelled, session.Token).ConfigureAwait(false)).ConfigureAwait(false);
                    }
                    finally
                    {
                        slots.Release();
                    }
                }, CancellationToken.None));
            }
        }
        finally
        {
            Volatile.Write(ref _connected, 0);
            await session.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(inFlight.Append(heartbeats)).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The session is over: what its tasks met (cancellation, a broken stream) is already accounted for.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        if (!worked)
        {
            // The hub closed the stream before saying anything: dial again after the back-off.
            throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, "The hub closed the tunnel."));
        }
    }

    private static NodeToHub Refusal(long id, string message) =>
        new() { Reply = new TunnelReply { Id = id, Failure = new TunnelFailure { Code = (int)StatusCode.ResourceExhausted, Message = message } } };

    /// <summary>One tunnelled call answered as a direct one would be: role, handler, audit line.</summary>
    internal async Task<NodeToHub> AnswerAsync(TunnelCall call, CancellationToken cancellationToken)
    {
        var method = call.RequestCase switch
        {
            TunnelCall.RequestOneofCase.Count => "Count",
            TunnelCall.RequestOneofCase.Facets => "Facets",
            TunnelCall.RequestOneofCase.NodeInfo => "GetNodeInfo",
            TunnelCall.RequestOneofCase.Search => "Search",
            _ => "Unknown",
        };
        var started = _time.GetTimestamp();
        var context = new TunnelCallContext("/nodeagent.federation.v1.NodeFederation/" + method, DateTime.UtcNow.AddMinutes(1), cancellationToken);
        context.UserState[RequesterInterceptor.UserStateKey] = options.Requester;
        var reply = new TunnelReply { Id = call.Id };
        try
        {
            var role = method switch { "Count" => FederationRoles.Count, "Facets" => FederationRoles.Facets, "Search" => FederationRoles.Search, _ => null };
            if (role is not null && !options.Requester.May(role))
            {
                throw new RpcException(new Grpc.Core.Status(StatusCode.PermissionDenied, $"Requester '{options.Requester.Name}' may not ask for {role} at this site."));
            }

            switch (call.RequestCase)
            {
                case TunnelCall.RequestOneofCase.Count:
                    reply.Count = await service.Count(call.Count, context).ConfigureAwait(false);
                    await AuditAsync(method, "answered", reply.Count, started).ConfigureAwait(false);
                    break;
                case TunnelCall.RequestOneofCase.Facets:
                    reply.Facets = await service.Facets(call.Facets, context).ConfigureAwait(false);
                    await AuditAsync(method, "answered", reply.Facets, started).ConfigureAwait(false);
                    break;
                case TunnelCall.RequestOneofCase.Search:
                    reply.Search = await service.SearchAll(call.Search, context).ConfigureAwait(false);
                    await AuditAsync(method, "answered", reply.Search, started).ConfigureAwait(false);
                    break;
                case TunnelCall.RequestOneofCase.NodeInfo:
                    reply.NodeInfo = await service.GetNodeInfo(call.NodeInfo, context).ConfigureAwait(false);
                    await AuditAsync(method, "answered", reply.NodeInfo, started).ConfigureAwait(false);
                    break;
                default:
                    throw new RpcException(new Grpc.Core.Status(StatusCode.Unimplemented, "This node does not know that call."));
            }
        }
        catch (RpcException e)
        {
            reply = new TunnelReply { Id = call.Id, Failure = new TunnelFailure { Code = (int)e.StatusCode, Message = e.Status.Detail } };
            await AuditAsync(method, "refused: " + e.StatusCode, null, started).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Whatever a handler or the audit log met, the hub gets an answer rather than a wait for its deadline.
        catch (Exception e)
#pragma warning restore CA1031
        {
            reply = new TunnelReply { Id = call.Id, Failure = new TunnelFailure { Code = (int)StatusCode.Internal, Message = $"The node could not answer ({e.GetType().Name})." } };
            try
            {
                await AuditAsync(method, "failed: " + e.GetType().Name, null, started).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The audit log itself may be what failed: the hub still gets its answer (a failure, nothing released).
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        return new NodeToHub { Reply = reply };
    }

    // The same lines as for a direct call (see AuditInterceptor).
    private async Task AuditAsync(string method, string outcome, object? response, long started)
    {
        FederationTelemetry.Record(method, "tunnel", outcome, _time.GetElapsedTime(started));
        var (hash, released) = AuditInterceptor.Released(response);
        if (audit is not null)
        {
            await audit.RecordAsync(new AuditEntry(_time.GetUtcNow(), options.Requester.Name, method, hash, outcome, released)).ConfigureAwait(false);
        }
    }

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
