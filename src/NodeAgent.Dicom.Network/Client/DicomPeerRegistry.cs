using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using NodeAgent.Dicom.Network.Associations;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Retry;

namespace NodeAgent.Dicom.Network.Client;

/// <summary>
/// One gate per remote AE, shared by every client that talks to it: a concurrency limiter held for
/// the life of each association, and a named Polly pipeline ("dicom-open/AE@host:port": retry with
/// jittered backoff, then circuit breaker) around opening one, kept in a Polly pipeline registry.
/// Register it once (a singleton) so the limits are per PACS, not per call.
/// </summary>
public sealed class DicomPeerRegistry : IDisposable
{
    private readonly ConcurrentDictionary<string, PeerGate> _gates = new(StringComparer.Ordinal);

    public DicomPeerRegistry(TimeProvider? timeProvider = null)
    {
        TimeProvider = timeProvider ?? TimeProvider.System;
        Pipelines = new ResiliencePipelineRegistry<string>();
    }

    /// <summary>The named pipelines, one per remote AE (for inspection and telemetry).</summary>
    public ResiliencePipelineRegistry<string> Pipelines { get; }

    /// <summary>A registry for callers without dependency injection (the CLI).</summary>
    public static DicomPeerRegistry Shared { get; } = new();

    public TimeProvider TimeProvider { get; }

    internal PeerGate Gate(string peerKey, DicomResilienceOptions options) =>
        _gates.GetOrAdd(peerKey, key => new PeerGate(Pipelines.GetOrAddPipeline($"dicom-open/{key}", builder => PeerGate.Configure(builder, options, TimeProvider)), options));

    public void Dispose()
    {
        foreach (var gate in _gates.Values)
        {
            gate.Limiter.Dispose();
        }

        Pipelines.Dispose();
    }

    internal sealed class PeerGate
    {
        public PeerGate(ResiliencePipeline openPipeline, DicomResilienceOptions options)
        {
            Limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = Math.Max(1, options.MaxConcurrentAssociations),
                QueueLimit = options.MaxQueuedAssociations,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
            OpenPipeline = openPipeline;
        }

        public ConcurrencyLimiter Limiter { get; }

        public ResiliencePipeline OpenPipeline { get; }

        public static void Configure(ResiliencePipelineBuilder builder, DicomResilienceOptions options, TimeProvider timeProvider)
        {
            builder.TimeProvider = timeProvider;
            var transient = new PredicateBuilder()
                .Handle<SocketException>()
                .Handle<TimeoutException>()
                .Handle<IOException>()
                .Handle<AssociationRejectedException>(e => e.IsTransient);
            if (options.RetryAttempts > 0)
            {
                builder.AddRetry(new RetryStrategyOptions
                {
                    ShouldHandle = transient,
                    MaxRetryAttempts = options.RetryAttempts,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = options.RetryBaseDelay,
                });
            }

            if (options.BreakerMinimumThroughput < int.MaxValue)
            {
                builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
                {
                    ShouldHandle = transient,
                    FailureRatio = options.BreakerFailureRatio,
                    MinimumThroughput = Math.Max(2, options.BreakerMinimumThroughput),
                    SamplingDuration = options.BreakerSamplingDuration,
                    BreakDuration = options.BreakerBreakDuration,
                });
            }
        }
    }
}
