namespace NodeAgent.Dicom.Network.Client;

/// <summary>
/// How NodeAgent treats a clinical PACS: few associations at a time, retries with backoff for
/// failures that pass (refused connection, transient rejection, timeout), and a circuit breaker
/// that stops knocking on a peer that keeps failing.
/// </summary>
public sealed record DicomResilienceOptions
{
    /// <summary>Associations open at once to one remote AE; more wait in a queue (never overload a clinical PACS).</summary>
    public int MaxConcurrentAssociations { get; init; } = 2;

    public int MaxQueuedAssociations { get; init; } = 1000;

    /// <summary>Retries of opening an association (not of the operation itself, which could duplicate work).</summary>
    public int RetryAttempts { get; init; } = 3;

    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    public double BreakerFailureRatio { get; init; } = 0.5;

    public int BreakerMinimumThroughput { get; init; } = 4;

    public TimeSpan BreakerSamplingDuration { get; init; } = TimeSpan.FromMinutes(1);

    public TimeSpan BreakerBreakDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>No retries and no breaker: for one-off commands run by a person, who sees the error at once.</summary>
    public static DicomResilienceOptions Interactive { get; } = new() { RetryAttempts = 0, BreakerMinimumThroughput = int.MaxValue };
}
