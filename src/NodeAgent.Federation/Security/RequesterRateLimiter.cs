using System.Threading.RateLimiting;

namespace NodeAgent.Federation.Security;

/// <summary>
/// A token bucket per requester: a steady rate with a burst allowance. A requester over its rate is
/// refused at once (RESOURCE_EXHAUSTED) rather than queued: the hub retries, the node stays responsive
/// to the others.
/// </summary>
public sealed class RequesterRateLimiter(double perSecond, int burst) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(requester => RateLimitPartition.GetTokenBucketLimiter(requester, _ => new TokenBucketRateLimiterOptions
    {
        TokenLimit = Math.Max(1, burst),
        TokensPerPeriod = Math.Max(1, (int)Math.Ceiling(perSecond / 10)),
        ReplenishmentPeriod = TimeSpan.FromSeconds(Math.Max(1, (int)Math.Ceiling(perSecond / 10)) / perSecond),
        QueueLimit = 0,
        AutoReplenishment = true,
    }));

    public bool TryAcquire(string requester)
    {
        using var lease = _limiter.AttemptAcquire(requester);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
