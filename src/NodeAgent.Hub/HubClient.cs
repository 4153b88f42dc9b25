using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using NodeAgent.Federation.V1;

namespace NodeAgent.Hub;

/// <summary>
/// The hub's side: one query fanned out to many nodes at once, each with its own deadline, so that a
/// node that is down or slow is reported and the others still answer.
/// </summary>
public sealed class HubClient : IDisposable
{
    private readonly List<(Uri Address, GrpcChannel Channel)> _nodes;

    public HubClient(IEnumerable<Uri> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        _nodes = nodes.Select(n => (n, GrpcChannel.ForAddress(n))).ToList();
    }

    public async Task<IReadOnlyList<NodeAnswer<T>>> FanOutAsync<T>(Func<NodeFederation.NodeFederationClient, CallOptions, Task<T>> call, TimeSpan deadline, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        var calls = _nodes.Select(async node =>
        {
            var watch = Stopwatch.StartNew();
            try
            {
                var options = new CallOptions(deadline: DateTime.UtcNow + deadline, cancellationToken: cancellationToken);
                var answer = await call(new NodeFederation.NodeFederationClient(node.Channel), options).ConfigureAwait(false);
                return new NodeAnswer<T>(node.Address, answer, null, watch.Elapsed);
            }
            catch (RpcException e)
            {
                var problem = e.StatusCode switch
                {
                    StatusCode.DeadlineExceeded => $"no answer within {deadline.TotalSeconds:0.#} s",
                    StatusCode.Unavailable => $"unreachable ({e.Status.Detail})",
                    _ => $"{e.StatusCode}: {e.Status.Detail}",
                };
                return new NodeAnswer<T>(node.Address, default, problem, watch.Elapsed);
            }
        });
        return await Task.WhenAll(calls).ConfigureAwait(false);
    }

    public void Dispose()
    {
        foreach (var (_, channel) in _nodes)
        {
            channel.Dispose();
        }
    }
}

/// <summary>One node's answer, or why there is none.</summary>
public sealed record NodeAnswer<T>(Uri Node, T? Answer, string? Problem, TimeSpan Elapsed);
