namespace NodeAgent.Dicom.Network.Associations.Internal;

/// <summary>
/// A timeout that restarts at every PDU: one timer for a whole message, re-armed rather than
/// re-created (a 500 MB data set arrives in tens of thousands of PDUs).
/// </summary>
internal sealed class InactivityTimer : IDisposable
{
    private readonly TimeSpan _timeout;
    private readonly CancellationTokenSource _timer;
    private readonly CancellationTokenSource _linked;

    public InactivityTimer(TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        _timeout = timeout;
        _timer = new CancellationTokenSource(timeout, timeProvider);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(_timer.Token, cancellationToken);
    }

    public TimeSpan Timeout => _timeout;

    public CancellationToken Token => _linked.Token;

    public bool Fired => _timer.IsCancellationRequested;

    public void Restart() => _timer.CancelAfter(_timeout);

    /// <summary>Stops the countdown until the next <see cref="Restart"/>.</summary>
    public void Pause() => _timer.CancelAfter(System.Threading.Timeout.InfiniteTimeSpan);

    public void Dispose()
    {
        _linked.Dispose();
        _timer.Dispose();
    }
}
