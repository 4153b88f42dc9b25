using System.CommandLine;
using Grpc.Core;
using NodeAgent.Federation.V1;
using NodeAgent.Hub;

namespace NodeAgent.Cli.Hub;

/// <summary>
/// The nodes a hub command asks, as options every hub command shares: direct nodes (<c>--node</c>),
/// nodes that dial in (<c>--tunnel-listen</c>), the deadline per node and the hub's TLS identity.
/// </summary>
internal sealed class HubTargets
{
    private readonly Option<string[]> _nodes = new("--node") { Description = "A node's gRPC address, as http://127.0.0.1:50051 (repeat for each node).", AllowMultipleArgumentsPerToken = true };
    private readonly Option<int> _deadline = new("--deadline-ms") { Description = "How long to wait for each node.", DefaultValueFactory = _ => 5000 };
    private readonly Option<int> _tunnelListen = new("--tunnel-listen") { Description = "Also accept nodes that dial in (outbound-only mode) on this port of 127.0.0.1 (mutual TLS with --cert/--key/--ca, else plain text), and ask them too." };
    private readonly Option<int> _tunnelWait = new("--tunnel-wait-ms") { Description = "How long to wait for nodes to dial in (a node dials again at most a minute after losing its hub; with --tunnel-nodes the wait ends as soon as that many are in).", DefaultValueFactory = _ => 65000 };
    private readonly Option<int> _tunnelNodes = new("--tunnel-nodes") { Description = "Stop waiting as soon as this many nodes have dialled in." };
    private readonly Option<string?> _certificate = new("--cert") { Description = "The hub's client certificate (PEM), for nodes over mutual TLS (https://) and nodes dialling in." };
    private readonly Option<string?> _key = new("--key") { Description = "Its private key (PEM)." };
    private readonly Option<string?> _ca = new("--ca") { Description = "The CA bundle (PEM) that issues the nodes' certificates." };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _nodes, _deadline, _tunnelListen, _tunnelWait, _tunnelNodes, _certificate, _key, _ca })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>Asks every node, direct and tunnelled, each within the deadline.</summary>
    /// <exception cref="FormatException">No node named, or a bad address or TLS option.</exception>
    public async Task<List<NodeAnswer<T>>> AskAsync<T>(
        ParseResult parse,
        Func<NodeFederation.NodeFederationClient, CallOptions, Task<T>> direct,
        Func<long, TunnelCall> tunnelled,
        Func<TunnelReply, T?> unwrap,
        CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(parse);
        var tls = ReadTls(parse);
        var addresses = Addresses(parse.GetValue(_nodes) ?? []);
        var port = parse.GetValue(_tunnelListen);
        if (addresses.Count == 0 && port == 0)
        {
            throw new FormatException("give --node URL (repeat for each node) and/or --tunnel-listen PORT.");
        }

        var deadline = TimeSpan.FromMilliseconds(Math.Max(1, parse.GetValue(_deadline)));
        using var hub = new HubClient(addresses, tls);
        var answers = (await hub.FanOutAsync(direct, deadline, cancellationToken).ConfigureAwait(false)).ToList();
        if (port > 0)
        {
            await using var tunnels = await TunnelHub.StartAsync(port, tls, cancellationToken).ConfigureAwait(false);
            var wanted = parse.GetValue(_tunnelNodes) is var n && n > 0 ? n : int.MaxValue;
            await tunnels.Registry.WaitForSitesAsync(wanted, TimeSpan.FromMilliseconds(Math.Max(0, parse.GetValue(_tunnelWait))), cancellationToken).ConfigureAwait(false);
            answers.AddRange(await tunnels.Registry.FanOutAsync(tunnelled, unwrap, deadline, cancellationToken).ConfigureAwait(false));
        }

        return answers;
    }

    private HubTls? ReadTls(ParseResult parse)
    {
        var (cert, key, ca) = (parse.GetValue(_certificate), parse.GetValue(_key), parse.GetValue(_ca));
        if (cert is null && key is null && ca is null)
        {
            return null;
        }

        return cert is null || key is null || ca is null
            ? throw new FormatException("--cert, --key and --ca go together: the hub's certificate, its key, and the CA of the nodes.")
            : HubTls.Load(cert, key, ca);
    }

    private static List<Uri> Addresses(string[] nodes) => nodes.Select(n =>
        Uri.TryCreate(n, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new FormatException($"'{n}' is not a node address: use http://HOST:PORT (development) or https://HOST:PORT.")).ToList();
}
