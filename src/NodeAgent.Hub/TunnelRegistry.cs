using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Grpc.Core;
using NodeAgent.Federation.V1;

namespace NodeAgent.Hub;

/// <summary>
/// The nodes connected to this hub over tunnels, by site: a call to a site goes down its stream and
/// its reply is matched by id. A node that reconnects replaces its old stream; calls pending on a
/// stream that breaks fail at once (UNAVAILABLE) rather than waiting for their deadline, and no call
/// waits longer than its deadline, even on a node that stopped reading.
/// </summary>
public sealed partial class TunnelRegistry
{
    /// <summary>More connected sites than this are refused: a federation has tens of nodes, not thousands.</summary>
    public const int MaxSites = 1000;

    private readonly ConcurrentDictionary<string, TunnelSession> _sessions = new(StringComparer.Ordinal);
    private long _nextId;

    /// <summary>The sites connected now.</summary>
    public IReadOnlyCollection<string> Sites => _sessions.Keys.ToList();

    /// <summary>Whether a site id is one a hub accepts: letters, digits, '.', '-', '_', up to 64.</summary>
    public static bool IsValidSite(string site) => SitePattern().IsMatch(site);

    /// <summary>Sends a call to a site and waits for its reply, never longer than <paramref name="deadline"/>.</summary>
    public async Task<TunnelReply> CallAsync(string site, Func<long, TunnelCall> call, TimeSpan deadline, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (!_sessions.TryGetValue(site, out var session))
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"Site '{site}' is not connected."));
        }

        var id = Interlocked.Increment(ref _nextId);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, session.Closed);
        limit.CancelAfter(deadline);
        try
        {
            var pending = session.Expect(id);
            await session.SendAsync(new HubToNode { Call = call(id) }, limit.Token).ConfigureAwait(false);
            return await pending.WaitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw session.Closed.IsCancellationRequested
                ? new RpcException(new Status(StatusCode.Unavailable, $"Site '{site}' disconnected."))
                : new RpcException(new Status(StatusCode.DeadlineExceeded, $"Site '{site}' did not answer in time."));
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"Site '{site}' disconnected."));
        }
        finally
        {
            session.Forget(id);
        }
    }

    /// <summary>
    /// One call to every connected site at once, each with its own deadline: a site that fails or is
    /// late is reported (as <c>tunnel://SITE</c>), the others still answer.
    /// </summary>
    /// <param name="call">The call for an id.</param>
    /// <param name="answer">The answer in a reply of the expected kind; null for any other kind.</param>
    /// <param name="deadline">How long each site has.</param>
    /// <param name="cancellationToken">Ends every call.</param>
    public async Task<IReadOnlyList<NodeAnswer<T>>> FanOutAsync<T>(Func<long, TunnelCall> call, Func<TunnelReply, T?> answer, TimeSpan deadline, CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(answer);
        var calls = Sites.Select(async site =>
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var node = new Uri($"tunnel://{site}");
            try
            {
                var reply = await CallAsync(site, call, deadline, cancellationToken).ConfigureAwait(false);
                if (reply.ResponseCase == TunnelReply.ResponseOneofCase.Failure)
                {
                    return new NodeAnswer<T>(node, null, $"{(StatusCode)reply.Failure.Code}: {reply.Failure.Message}", watch.Elapsed);
                }

                return answer(reply) is { } value
                    ? new NodeAnswer<T>(node, value, null, watch.Elapsed)
                    : new NodeAnswer<T>(node, null, $"the node answered with {reply.ResponseCase}, not the call's answer", watch.Elapsed);
            }
            catch (RpcException e)
            {
                return new NodeAnswer<T>(node, null, e.Status.Detail, watch.Elapsed);
            }
        });
        return await Task.WhenAll(calls).ConfigureAwait(false);
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

    /// <returns>False when the hub has too many sites already.</returns>
    internal bool Register(string site, TunnelSession session)
    {
        if (_sessions.Count >= MaxSites && !_sessions.ContainsKey(site))
        {
            return false;
        }

        TunnelSession? replaced = null;
        _sessions.AddOrUpdate(site, session, (_, old) =>
        {
            replaced = old;
            return session;
        });
        if (replaced is not null && !ReferenceEquals(replaced, session))
        {
            replaced.Close();
        }

        return true;
    }

    internal void Unregister(string site, TunnelSession session) => _sessions.TryRemove(new KeyValuePair<string, TunnelSession>(site, session));

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex SitePattern();
}

/// <summary>One node's stream: writes serialised, replies matched to pending calls, closed once.</summary>
internal sealed class TunnelSession(IServerStreamWriter<HubToNode> writer) : IDisposable
{
    private readonly SemaphoreSlim _write = new(1, 1);
    private readonly ConcurrentDictionary<long, TaskCompletionSource<TunnelReply>> _pending = new();
    private readonly CancellationTokenSource _closed = new();
    private int _isClosed;

    public CancellationToken Closed => _closed.Token;

    public Task<TunnelReply> Expect(long id)
    {
        var reply = new TaskCompletionSource<TunnelReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;

        // Closed between the lookup and now: fail at once instead of waiting for the deadline.
        if (Volatile.Read(ref _isClosed) != 0)
        {
            reply.TrySetException(new RpcException(new Status(StatusCode.Unavailable, "The node's tunnel closed.")));
        }

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
            if (Volatile.Read(ref _isClosed) != 0)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "The node's tunnel closed."));
            }

            await writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _write.Release();
        }
    }

    /// <summary>Closes the session. Its semaphore and token source are left to the collector: calls
    /// already past their lookup may still touch them, and must fail as closed, not as disposed.</summary>
    public void Dispose() => Close();

    public void Close()
    {
        if (Interlocked.Exchange(ref _isClosed, 1) != 0)
        {
            return;
        }

        _closed.Cancel();
        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(new RpcException(new Status(StatusCode.Unavailable, "The node's tunnel closed.")));
        }
    }
}
