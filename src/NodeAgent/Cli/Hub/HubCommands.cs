using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using NodeAgent.Cli.Internal;
using NodeAgent.Cli.Query;
using NodeAgent.Federation.V1;
using NodeAgent.Hub;

namespace NodeAgent.Cli.Hub;

/// <summary>
/// <c>nodeagent hub count|nodes --node URL ...</c>: the hub's view, for operators and for a site
/// checking what it releases: one query to many nodes, each with a deadline; released values per
/// node, the nodes that failed, and the total of what was released.
/// </summary>
internal static class HubCommands
{
    public static Command Build(TextWriter output, TextWriter error)
    {
        var hub = new Command("hub", "Ask federation nodes over gRPC, as the central hub does.");
        hub.Subcommands.Add(Count(output, error));
        hub.Subcommands.Add(Nodes(output, error));
        return hub;
    }

    private static Option<string[]> NodeOption() => new("--node") { Description = "A node's gRPC address, as http://127.0.0.1:50051 (repeat for each node).", Required = true, AllowMultipleArgumentsPerToken = true };

    private static Option<int> DeadlineOption() => new("--deadline-ms") { Description = "How long to wait for each node.", DefaultValueFactory = _ => 5000 };

    private sealed class TlsOptions
    {
        public Option<string?> Certificate { get; } = new("--cert") { Description = "The hub's client certificate (PEM), for nodes over mutual TLS (https://)." };

        public Option<string?> Key { get; } = new("--key") { Description = "Its private key (PEM)." };

        public Option<string?> Ca { get; } = new("--ca") { Description = "The CA bundle (PEM) that issues the nodes' certificates." };

        public void AddTo(Command command)
        {
            command.Options.Add(Certificate);
            command.Options.Add(Key);
            command.Options.Add(Ca);
        }

        public HubTls? Read(ParseResult parse)
        {
            var (cert, key, ca) = (parse.GetValue(Certificate), parse.GetValue(Key), parse.GetValue(Ca));
            if (cert is null && key is null && ca is null)
            {
                return null;
            }

            return cert is null || key is null || ca is null
                ? throw new FormatException("--cert, --key and --ca go together: the hub's certificate, its key, and the CA of the nodes.")
                : HubTls.Load(cert, key, ca);
        }
    }

    private static Option<string> FormatOption() => new("--format") { Description = "table or json.", DefaultValueFactory = _ => "table" };

    private static Command Count(TextWriter output, TextWriter error)
    {
        var nodes = NodeOption();
        var deadline = DeadlineOption();
        var format = FormatOption();
        var filters = new QueryFilters();
        var tunnelListen = new Option<int>("--tunnel-listen") { Description = "Also accept nodes that dial in (outbound-only mode) on this port of 127.0.0.1 (mutual TLS with --cert/--key/--ca, else plain text), and ask them too." };
        var tunnelWait = new Option<int>("--tunnel-wait-ms") { Description = "How long to wait for nodes to dial in (a node dials again at most a minute after losing its hub; with --tunnel-nodes the wait ends as soon as that many are in).", DefaultValueFactory = _ => 65000 };
        var tunnelNodes = new Option<int>("--tunnel-nodes") { Description = "Stop waiting as soon as this many nodes have dialled in." };
        nodes.Required = false;
        var command = new Command("count", "Count patients, studies, series and instances on each node; values as each node's disclosure control releases them.") { nodes, deadline, format, tunnelListen, tunnelWait, tunnelNodes };
        var tls = new TlsOptions();
        tls.AddTo(command);
        foreach (var option in filters.Options)
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, ct) => CliFailure.RunAsync("hub count", error, async () =>
        {
            var request = new CountRequest { Query = ProtoQuery.From(filters.ToCriterion(parse)) };
            var hubTls = tls.Read(parse);
            var direct = Addresses(parse.GetValue(nodes) ?? []);
            var port = parse.GetValue(tunnelListen);
            if (direct.Count == 0 && port == 0)
            {
                error.WriteLine("nodeagent hub count: give --node URL (repeat for each node) and/or --tunnel-listen PORT.");
                return 1;
            }

            var limit = TimeSpan.FromMilliseconds(Math.Max(1, parse.GetValue(deadline)));
            using var hub = new HubClient(direct, hubTls);
            var answers = (await hub.FanOutAsync((client, options) => client.CountAsync(request, options).ResponseAsync, limit, ct).ConfigureAwait(false)).ToList();
            if (port > 0)
            {
                await using var tunnels = await TunnelHub.StartAsync(port, hubTls, ct).ConfigureAwait(false);
                await tunnels.Registry.WaitForSitesAsync(Math.Max(1, parse.GetValue(tunnelNodes) is var n && n > 0 ? n : int.MaxValue), TimeSpan.FromMilliseconds(Math.Max(0, parse.GetValue(tunnelWait))), ct).ConfigureAwait(false);
                answers.AddRange(await tunnels.CountAsync(request, limit, ct).ConfigureAwait(false));
            }

            if (parse.GetValue(format) == "json")
            {
                output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["nodes"] = answers.Select(a => new Dictionary<string, object?>
                    {
                        ["node"] = a.Node.ToString(),
                        ["ok"] = a.Answer is not null,
                        ["problem"] = a.Problem,
                        ["milliseconds"] = Math.Round(a.Elapsed.TotalMilliseconds, 1),
                        ["patients"] = Json(a.Answer?.Patients),
                        ["studies"] = Json(a.Answer?.Studies),
                        ["series"] = Json(a.Answer?.Series),
                        ["instances"] = Json(a.Answer?.Instances),
                        ["disclosureApplied"] = a.Answer?.Disclosure?.Modified,
                        ["queryHash"] = a.Answer?.QueryHash,
                    }).ToList(),
                    ["total"] = new Dictionary<string, object?>
                    {
                        ["patients"] = Total(answers, r => r.Patients),
                        ["studies"] = Total(answers, r => r.Studies),
                        ["series"] = Total(answers, r => r.Series),
                        ["instances"] = Total(answers, r => r.Instances),
                    },
                    ["answered"] = answers.Count(a => a.Answer is not null),
                    ["asked"] = answers.Count,
                }));
            }
            else
            {
                output.WriteLine($"{"node",-32} {"patients",9} {"studies",9} {"series",9} {"instances",10} {"ms",7}  status");
                foreach (var a in answers)
                {
                    output.WriteLine($"{a.Node.ToString().TrimEnd('/'),-32} {Text(a.Answer?.Patients),9} {Text(a.Answer?.Studies),9} {Text(a.Answer?.Series),9} {Text(a.Answer?.Instances),10} {a.Elapsed.TotalMilliseconds,7:F0}  {a.Problem ?? (a.Answer!.Disclosure?.Modified == true ? "ok (disclosure control applied)" : "ok")}");
                }

                output.WriteLine($"{"total of released values",-32} {Total(answers, r => r.Patients),9} {Total(answers, r => r.Studies),9} {Total(answers, r => r.Series),9} {Total(answers, r => r.Instances),10}");
                output.WriteLine($"{answers.Count(a => a.Answer is not null)} of {answers.Count} nodes answered; \"<N\" is a count withheld as below the node's threshold N and adds nothing to the total.");
            }

            return answers.Count > 0 && answers.All(a => a.Answer is not null) ? 0 : 3;
        }));
        return command;
    }

    private static Command Nodes(TextWriter output, TextWriter error)
    {
        var nodes = NodeOption();
        var deadline = DeadlineOption();
        var command = new Command("nodes", "Who each node is, what it answers, and how fresh its catalogue is.") { nodes, deadline };
        var tls = new TlsOptions();
        tls.AddTo(command);
        command.SetAction((parse, ct) => CliFailure.RunAsync("hub nodes", error, async () =>
        {
            using var hub = new HubClient(Addresses(parse.GetValue(nodes)!), tls.Read(parse));
            var answers = await hub.FanOutAsync((client, options) => client.GetNodeInfoAsync(new GetNodeInfoRequest(), options).ResponseAsync, TimeSpan.FromMilliseconds(Math.Max(1, parse.GetValue(deadline))), ct).ConfigureAwait(false);
            foreach (var a in answers)
            {
                if (a.Answer is not { } info)
                {
                    output.WriteLine($"{a.Node}: {a.Problem}");
                    continue;
                }

                var sources = string.Join("; ", (info.Freshness?.Sources ?? []).Select(s => $"{s.Name} ({s.Kind}) last sync {(s.LastSuccessfulSync is { } t ? t.ToDateTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "never")}, {s.CoveragePercent}% of its studies indexed{(s.FullSyncUnderWay ? ", a full sync under way" : "")}{(s.LastSyncFailed ? ", failing" : "")}"));
                var policy = info.Disclosure is { } d ? $"threshold {d.Threshold}, rounding {d.Rounding}, epsilon {d.Epsilon.ToString(CultureInfo.InvariantCulture)}" : "no disclosure policy stated";
                output.WriteLine($"{a.Node}: site {info.SiteId}, NodeAgent {info.Version}; answers {string.Join(", ", info.Capabilities)}; fields {string.Join(", ", info.Fields.Select(f => f.Name))}; {policy}; sources: {(sources.Length == 0 ? "none" : sources)}");
            }

            return answers.All(a => a.Answer is not null) ? 0 : 3;
        }));
        return command;
    }

    private static List<Uri> Addresses(string[] nodes) => nodes.Select(n =>
        Uri.TryCreate(n, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new FormatException($"'{n}' is not a node address: use http://HOST:PORT (development) or https://HOST:PORT.")).ToList();

    private static object? Json(ReleasedCount? count) => count?.ValueCase switch
    {
        ReleasedCount.ValueOneofCase.Count => count.Count,
        ReleasedCount.ValueOneofCase.FewerThan => $"<{count.FewerThan}",
        _ => null,
    };

    private static string Text(ReleasedCount? count) => Json(count)?.ToString() ?? "-";

    private static long Total(IEnumerable<NodeAnswer<CountResponse>> answers, Func<CountResponse, ReleasedCount> level) =>
        answers.Where(a => a.Answer is not null).Select(a => level(a.Answer!)).Where(c => c.ValueCase == ReleasedCount.ValueOneofCase.Count).Sum(c => c.Count);
}
