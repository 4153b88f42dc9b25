using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using NodeAgent.Cli.Internal;
using NodeAgent.Cli.Query;
using NodeAgent.Federation.V1;
using NodeAgent.Hub;

namespace NodeAgent.Cli.Hub;

/// <summary>
/// <c>nodeagent hub count|facets|search|nodes</c>: the hub's view, for operators and for a site
/// checking what it releases: one query to many nodes (direct, and dialling in over tunnels), each
/// with a deadline; released values per node, the nodes that failed, and the total of what was released.
/// Exit 0 when every node answered, 3 when some did not, 1 on bad options.
/// </summary>
internal static class HubCommands
{
    private const string FormatHelp = "table or json.";

    public static Command Build(TextWriter output, TextWriter error)
    {
        var hub = new Command("hub", "Ask federation nodes over gRPC, as the central hub does.");
        hub.Subcommands.Add(Count(output, error));
        hub.Subcommands.Add(Facets(output, error));
        hub.Subcommands.Add(Search(output, error));
        hub.Subcommands.Add(Nodes(output, error));
        return hub;
    }

    private static Option<string> FormatOption() => new("--format") { Description = FormatHelp, DefaultValueFactory = _ => "table" };

    private static Command Count(TextWriter output, TextWriter error)
    {
        var targets = new HubTargets();
        var format = FormatOption();
        var filters = new QueryFilters();
        var command = new Command("count", "Count patients, studies, series and instances on each node; values as each node's disclosure control releases them.") { format };
        targets.AddTo(command);
        filters.AddTo(command);
        command.SetAction((parse, ct) => CliFailure.RunAsync("hub count", error, async () =>
        {
            var request = new CountRequest { Query = ProtoQuery.From(filters.ToCriterion(parse)) };
            var answers = await targets.AskAsync(
                parse,
                (client, options) => client.CountAsync(request, options).ResponseAsync,
                id => new TunnelCall { Id = id, Count = request },
                reply => reply.Count,
                ct).ConfigureAwait(false);
            if (parse.GetValue(format) == "json")
            {
                output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["nodes"] = answers.Select(a => Node(a, new Dictionary<string, object?>
                    {
                        ["patients"] = Json(a.Answer?.Patients),
                        ["studies"] = Json(a.Answer?.Studies),
                        ["series"] = Json(a.Answer?.Series),
                        ["instances"] = Json(a.Answer?.Instances),
                        ["disclosureApplied"] = a.Answer?.Disclosure?.Modified,
                        ["queryHash"] = a.Answer?.QueryHash,
                    })).ToList(),
                    ["total"] = new Dictionary<string, object?>
                    {
                        ["patients"] = Total(answers.Select(a => a.Answer?.Patients)),
                        ["studies"] = Total(answers.Select(a => a.Answer?.Studies)),
                        ["series"] = Total(answers.Select(a => a.Answer?.Series)),
                        ["instances"] = Total(answers.Select(a => a.Answer?.Instances)),
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
                    output.WriteLine($"{Name(a),-32} {Text(a.Answer?.Patients),9} {Text(a.Answer?.Studies),9} {Text(a.Answer?.Series),9} {Text(a.Answer?.Instances),10} {a.Elapsed.TotalMilliseconds,7:F0}  {Status(a, a.Answer?.Disclosure)}");
                }

                output.WriteLine($"{"total of released values",-32} {Total(answers.Select(a => a.Answer?.Patients)),9} {Total(answers.Select(a => a.Answer?.Studies)),9} {Total(answers.Select(a => a.Answer?.Series)),9} {Total(answers.Select(a => a.Answer?.Instances)),10}");
                WriteFooter(output, answers);
            }

            return ExitCode(answers);
        }));
        return command;
    }

    private static Command Facets(TextWriter output, TextWriter error)
    {
        var targets = new HubTargets();
        var format = FormatOption();
        var filters = new QueryFilters();
        var by = new Option<string>("--by") { Description = "The field to group by: modality, bodypart, sex, manufacturer, manufacturermodel, age, studyyear.", Required = true };
        var level = new Option<Level>("--level") { Description = "What to count in each cell: patients, studies, series or instances.", DefaultValueFactory = _ => Level.Studies, CustomParser = ParseLevel };
        var command = new Command("facets", "Counts per value of a field on each node, as each node's disclosure control releases them (small cells withheld), and the total per value.") { by, level, format };
        targets.AddTo(command);
        filters.AddTo(command);
        command.SetAction((parse, ct) => CliFailure.RunAsync("hub facets", error, async () =>
        {
            var request = new FacetsRequest { Query = ProtoQuery.From(filters.ToCriterion(parse)), Field = parse.GetValue(by)!, Level = parse.GetValue(level) };
            var answers = await targets.AskAsync(
                parse,
                (client, options) => client.FacetsAsync(request, options).ResponseAsync,
                id => new TunnelCall { Id = id, Facets = request },
                reply => reply.Facets,
                ct).ConfigureAwait(false);

            // The total per value over the nodes that released it; a value withheld at a node adds nothing there.
            var values = answers.Where(a => a.Answer is not null).SelectMany(a => a.Answer!.Cells.Select(c => c.Value)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (parse.GetValue(format) == "json")
            {
                output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["field"] = request.Field,
                    ["level"] = LevelName(request.Level),
                    ["nodes"] = answers.Select(a => Node(a, new Dictionary<string, object?>
                    {
                        ["cells"] = a.Answer?.Cells.ToDictionary(c => c.Value, c => Json(c.Count)),
                        ["withheldCells"] = a.Answer?.Disclosure?.SuppressedCells,
                        ["queryHash"] = a.Answer?.QueryHash,
                    })).ToList(),
                    ["total"] = values.ToDictionary(v => v, v => Total(answers.Select(a => a.Answer?.Cells.FirstOrDefault(c => c.Value == v)?.Count))),
                    ["answered"] = answers.Count(a => a.Answer is not null),
                    ["asked"] = answers.Count,
                }));
            }
            else
            {
                output.WriteLine($"{request.Field} ({LevelName(request.Level)}) on each node; cells a node withheld are not listed by it:");
                foreach (var a in answers)
                {
                    var cells = a.Answer is { } f ? string.Join(", ", f.Cells.Select(c => $"{c.Value} {Text(c.Count)}")) : "";
                    var withheld = a.Answer?.Disclosure?.SuppressedCells is > 0 and var w ? $" ({w} cells withheld)" : "";
                    output.WriteLine($"  {Name(a),-32} {a.Elapsed.TotalMilliseconds,6:F0} ms  {Status(a, a.Answer?.Disclosure)}{withheld}{(cells.Length > 0 ? ": " + cells : "")}");
                }

                output.WriteLine("total of released values:");
                foreach (var value in values)
                {
                    output.WriteLine($"  {value,-32} {Total(answers.Select(a => a.Answer?.Cells.FirstOrDefault(c => c.Value == value)?.Count)),9}");
                }

                WriteFooter(output, answers);
            }

            return ExitCode(answers);
        }));
        return command;
    }

    private static Command Search(TextWriter output, TextWriter error)
    {
        var targets = new HubTargets();
        var format = FormatOption();
        var filters = new QueryFilters();
        var max = new Option<int>("--max") { Description = "The most study descriptors wanted from each node (0: the node's maximum)." };
        var command = new Command("search", "Coarse, pseudonymised study descriptors from each node that allows search (off by default at a node).") { max, format };
        targets.AddTo(command);
        filters.AddTo(command);
        command.SetAction((parse, ct) => CliFailure.RunAsync("hub search", error, async () =>
        {
            var request = new SearchRequest { Query = ProtoQuery.From(filters.ToCriterion(parse)), MaxResults = parse.GetValue(max) };
            var answers = await targets.AskAsync(
                parse,
                (client, options) => ReadSearchAsync(client.Search(request, options), options.CancellationToken),
                id => new TunnelCall { Id = id, Search = request },
                reply => reply.Search,
                ct).ConfigureAwait(false);
            if (parse.GetValue(format) == "json")
            {
                output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["nodes"] = answers.Select(a => Node(a, new Dictionary<string, object?>
                    {
                        ["studies"] = Json(a.Answer?.Summary?.Studies),
                        ["truncated"] = a.Answer?.Summary?.Truncated,
                        ["minGroup"] = a.Answer?.Summary?.MinGroup,
                        ["descriptors"] = a.Answer?.Studies.Select(d => new Dictionary<string, object?>
                        {
                            ["studyKey"] = d.StudyKey,
                            ["modalities"] = d.Modalities.ToList(),
                            ["bodyPart"] = d.BodyPart,
                            ["ageBand"] = d.AgeBand,
                            ["sex"] = d.Sex,
                            ["studyYear"] = d.StudyYear,
                            ["series"] = d.Series,
                            ["instances"] = d.Instances,
                        }).ToList(),
                    })).ToList(),
                    ["answered"] = answers.Count(a => a.Answer is not null),
                    ["asked"] = answers.Count,
                }));
            }
            else
            {
                foreach (var a in answers)
                {
                    if (a.Answer is not { } results)
                    {
                        output.WriteLine($"{Name(a)}: {a.Problem}");
                        continue;
                    }

                    var summary = results.Summary;
                    output.WriteLine($"{Name(a)}: {Text(summary.Studies)} matching studies, {results.Studies.Count} descriptors released{(summary.Truncated ? $" (a sample: more matched than {summary.MaxResults})" : "")}; descriptors in groups under {summary.MinGroup} withheld");
                    output.WriteLine($"  {"study key",-32} {"modalities",-12} {"body part",-12} {"age",-6} {"sex",-3} {"year",4} {"series",6} {"instances",9}");
                    foreach (var d in results.Studies)
                    {
                        output.WriteLine($"  {d.StudyKey,-32} {string.Join('/', d.Modalities),-12} {d.BodyPart,-12} {d.AgeBand,-6} {d.Sex,-3} {d.StudyYear,4} {d.Series,6} {d.Instances,9}");
                    }
                }

                WriteFooter(output, answers);
            }

            return ExitCode(answers);
        }));
        return command;
    }

    private static Command Nodes(TextWriter output, TextWriter error)
    {
        var targets = new HubTargets();
        var command = new Command("nodes", "Who each node is, what it answers, and how fresh its catalogue is.");
        targets.AddTo(command);
        command.SetAction((parse, ct) => CliFailure.RunAsync("hub nodes", error, async () =>
        {
            var answers = await targets.AskAsync(
                parse,
                (client, options) => client.GetNodeInfoAsync(new GetNodeInfoRequest(), options).ResponseAsync,
                id => new TunnelCall { Id = id, NodeInfo = new GetNodeInfoRequest() },
                reply => reply.NodeInfo,
                ct).ConfigureAwait(false);
            foreach (var a in answers)
            {
                if (a.Answer is not { } info)
                {
                    output.WriteLine($"{Name(a)}: {a.Problem}");
                    continue;
                }

                var sources = string.Join("; ", (info.Freshness?.Sources ?? []).Select(s => $"{s.Name} ({s.Kind}) last sync {(s.LastSuccessfulSync is { } t ? t.ToDateTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "never")}, {s.CoveragePercent}% of its studies indexed{(s.FullSyncUnderWay ? ", a full sync under way" : "")}{(s.LastSyncFailed ? ", failing" : "")}"));
                var policy = info.Disclosure is { } d ? $"threshold {d.Threshold}, rounding {d.Rounding}, epsilon {d.Epsilon.ToString(CultureInfo.InvariantCulture)}" : "no disclosure policy stated";
                output.WriteLine($"{Name(a)}: site {info.SiteId}, NodeAgent {info.Version}; answers {string.Join(", ", info.Capabilities)}; fields {string.Join(", ", info.Fields.Select(f => f.Name))}; {policy}; sources: {(sources.Length == 0 ? "none" : sources)}");
            }

            return ExitCode(answers);
        }));
        return command;
    }

    // A server stream read whole: the summary first, then the descriptors.
    private static async Task<SearchResults> ReadSearchAsync(Grpc.Core.AsyncServerStreamingCall<SearchResponse> call, CancellationToken cancellationToken)
    {
        using (call)
        {
            var results = new SearchResults();
            while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                var response = call.ResponseStream.Current;
                if (response.KindCase == SearchResponse.KindOneofCase.Summary)
                {
                    results.Summary = response.Summary;
                }
                else if (response.KindCase == SearchResponse.KindOneofCase.Study)
                {
                    results.Studies.Add(response.Study);
                }
            }

            return results;
        }
    }

    private static Level ParseLevel(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count == 0 ? "studies" : result.Tokens[0].Value;
        var level = text.ToUpperInvariant() switch
        {
            "PATIENTS" => Level.Patients,
            "STUDIES" => Level.Studies,
            "SERIES" => Level.Series,
            "INSTANCES" => Level.Instances,
            _ => (Level?)null,
        };
        if (level is null)
        {
            result.AddError($"'{text}' is not a level: patients, studies, series or instances.");
            return Level.Studies;
        }

        return level.Value;
    }

    private static string LevelName(Level level) => level == Level.Unspecified ? "studies" : level.ToString().ToLowerInvariant();

    private static Dictionary<string, object?> Node<T>(NodeAnswer<T> a, Dictionary<string, object?> values)
    {
        var node = new Dictionary<string, object?>
        {
            ["node"] = a.Node.ToString(),
            ["ok"] = a.Answer is not null,
            ["problem"] = a.Problem,
            ["milliseconds"] = Math.Round(a.Elapsed.TotalMilliseconds, 1),
        };
        foreach (var (key, value) in values)
        {
            node[key] = value;
        }

        return node;
    }

    private static string Name<T>(NodeAnswer<T> a) => a.Node.ToString().TrimEnd('/');

    private static string Status<T>(NodeAnswer<T> a, Disclosure? disclosure) =>
        a.Problem ?? (disclosure?.Modified == true ? "ok (disclosure control applied)" : "ok");

    private static void WriteFooter<T>(TextWriter output, List<NodeAnswer<T>> answers) =>
        output.WriteLine($"{answers.Count(a => a.Answer is not null)} of {answers.Count} nodes answered; \"<N\" is a count withheld as below the node's threshold N and adds nothing to the total.");

    private static int ExitCode<T>(List<NodeAnswer<T>> answers) => answers.Count > 0 && answers.All(a => a.Answer is not null) ? 0 : 3;

    private static object? Json(ReleasedCount? count) => count?.ValueCase switch
    {
        ReleasedCount.ValueOneofCase.Count => count.Count,
        ReleasedCount.ValueOneofCase.FewerThan => $"<{count.FewerThan}",
        _ => null,
    };

    private static string Text(ReleasedCount? count) => Json(count)?.ToString() ?? "-";

    private static long Total(IEnumerable<ReleasedCount?> counts) =>
        counts.Where(c => c?.ValueCase == ReleasedCount.ValueOneofCase.Count).Sum(c => c!.Count);
}
