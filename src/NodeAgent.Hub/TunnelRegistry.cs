using System.Collections.Concurrent;
using Grpc.Core;
using NodeAgent.Federation.V1;

namespace NodeAgent.Hub;

/// <summary>
/// The nodes connected to this hub over tunnels, by site: a call to a site goes down its stream and
/// its reply is matched by id. A node that reconnects replaces its old stream; calls pending on a
/// stream that breaks fail at once (UNAVAILABLE) rather than waiting for their deadline.
/// </summary>
public sealed class TunnelRegistry
{
    private readonly ConcurrentDictionary<string, TunnelSession> _sessions = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextId;

    /// <summary>The sites connected now.</summary>
    public IReadOnlyCollection<string> Sites => _sessions.Keys.ToList();

    /// <summary>Sends a call to a site and waits for its reply.</summary>
    public async Task<TunnelReply> CallAsync(string site, Func<long, TunnelCall> call, TimeSpan deadline, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (!_sessions.TryGetValue(site, out var session))
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"Site '{site}' is not connected."));
        }

        var id = Interlocked.Increment(ref _nextId);
        var pending = session.Expect(id);
        try
        {
            await session.SendAsync(new HubToNode { Call = call(id) }, cancellationToken).ConfigureAwait(false);
            return await pending.WaitAsync(deadline, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new RpcException(new Status(StatusCode.DeadlineExceeded, $"Site '{site}' did not answer in time."));
        }
        finally
        {
            session.Forget(id);
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> sites are connected, or the time is up.</summary>
    public async Task<bool> WaitForSitesAsync(int count, TimeSpan limit, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + limit;
        while (_sessions.Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }

        return _sessions.Count >= count;
    }

    internal void Register(string site, TunnelSession session)
    {
        if (_sessions.TryGetValue(site, out var old))
        {
            old.Close();
        }

        _sessions[site] = session;
    }

    internal void Unregister(string site, TunnelSession session) => _sessions.TryRemove(new KeyValuePair<string, TunnelSession>(site, session));
}

/// <summary>One node's stream: writes serialised, replies matched to pending calls.</summary>
internal sealed class TunnelSession(IServerStreamWriter<HubToNode> writer) : IDisposable
{
    private readonly SemaphoreSlim _write = new(1, 1);
    private readonly ConcurrentDictionary<long, TaskCompletionSource<TunnelReply>> _pending = new();
    private readonly CancellationTokenSource _closed = new();

    public CancellationToken Closed => _closed.Token;

    public Task<TunnelReply> Expect(long id)
    {
        var reply = new TaskCompletionSource<TunnelReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        return reply.Task;
    }

    public void Forget(long id) => _pending.TryRemove(id, out _);

    public void Deliver(TunnelReply reply)
    {
        if (_pending.TryRemove(reply.Id, out var pending))
        {
            pending.TrySetResult(reply);
        }
    }

    public async Task SendAsync(HubToNode message, CancellationToken cancellationToken)
    {
        await _write.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _write.Release();
        }
    }

    public void Close()
    {
        _closed.Cancel();
        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(new RpcException(new Status(StatusCode.Unavailable, "The node's tunnel closed.")));
        }
    }

    public void Dispose()
    {
        Close();
        _write.Dispose();
        _closed.Dispose();
    }
}
