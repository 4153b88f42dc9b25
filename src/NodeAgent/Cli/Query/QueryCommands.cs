using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using NodeAgent.Cli.Internal;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Counting;

namespace NodeAgent.Cli.Query;

/// <summary><c>nodeagent query count|facets</c>: exact local answers from the catalogue, for the site's own staff.</summary>
internal static class QueryCommands
{
    public static Command Build(TextWriter output, TextWriter error)
    {
        var query = new Command("query", "Count what the site catalogue holds (exact local answers, for the site's staff).");
        query.Subcommands.Add(Count(output, error));
        query.Subcommands.Add(Facets(output, error));
        return query;
    }

    private static Command Count(TextWriter output, TextWriter error)
    {
        var (db, level, format, filters) = CommonOptions();
        var command = new Command("count", "Count patients, studies, series or instances matching the filters.") { db, level, format };
        filters.AddTo(command);

        command.SetAction((parse, _) => CliFailure.RunAsync("query count", error, () =>
        {
            var criterion = filters.ToCriterion(parse);
            var (engine, sources) = Load(parse.GetValue(db)!);
            var result = engine.Count(criterion);
            var chosen = parse.GetValue(level);
            if (parse.GetValue(format) == "json")
            {
                output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["level"] = Name(chosen),
                    ["count"] = result.At(chosen),
                    ["patients"] = result.Patients,
                    ["studies"] = result.Studies,
                    ["series"] = result.Series,
                    ["instances"] = result.Instances,
                    ["sources"] = sources.Select(s => new Dictionary<string, object?>
                    {
                        ["name"] = s.Id,
                        ["kind"] = s.Kind,
                        ["lastSuccessfulSync"] = s.LastSuccessfulSync?.ToString("O", CultureInfo.InvariantCulture),
                        ["lastFullSync"] = s.LastFullSync?.ToString("O", CultureInfo.InvariantCulture),
                        ["series"] = s.SeriesIndexed,
                        ["studiesSeen"] = s.StudiesSeen,
                        ["studiesIndexed"] = s.StudiesIndexed,
                        ["lastSyncComplete"] = s.LastError is null,
                        ["lastError"] = s.LastError,
                        ["failuresInARow"] = s.ConsecutiveFailures,
                        ["fullSyncUnderWay"] = s.FullPass is { } pass ? new Dictionary<string, object?> { ["windowsDone"] = pass.WindowsDone, ["windowsPending"] = pass.Pending.Count } : null,
                    }).ToList(),
                }));
            }
            else
            {
                output.WriteLine($"{Name(chosen)}: {result.At(chosen)}");
                output.WriteLine($"(patients {result.Patients}, studies {result.Studies}, series {result.Series}, instances {result.Instances}; {Freshness(sources)})");
            }

            return Task.FromResult(0);
        }));
        return command;
    }

    private static Command Facets(TextWriter output, TextWriter error)
    {
        var (db, level, format, filters) = CommonOptions();
        var by = new Option<CatalogueField>("--by") { Description = "The field to group by: modality, bodypart, sex, manufacturer, manufacturermodel, age, studyyear.", Required = true };
        var command = new Command("facets", "Counts per value of a field, among what matches the filters.") { db, by, level, format };
        filters.AddTo(command);

        command.SetAction((parse, _) => CliFailure.RunAsync("query facets", error, () =>
        {
            var criterion = filters.ToCriterion(parse);
            var (engine, _) = Load(parse.GetValue(db)!);
            var chosen = parse.GetValue(level);
            var facets = engine.Facets(parse.GetValue(by), criterion);
            if (parse.GetValue(format) == "json")
            {
                output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["level"] = Name(chosen),
                    ["by"] = parse.GetValue(by).ToString(),
                    ["values"] = facets.Select(f => new Dictionary<string, object?> { ["value"] = f.Value, ["count"] = f.Count.At(chosen) }).ToList(),
                }));
            }
            else
            {
                foreach (var (value, count) in facets)
                {
                    output.WriteLine($"{count.At(chosen),10}  {value}");
                }
            }

            return Task.FromResult(0);
        }));
        return command;
    }

    private static (Option<string> Db, Option<CountLevel> Level, Option<string> Format, QueryFilters Filters) CommonOptions()
    {
        var db = new Option<string>("--db") { Description = "The catalogue file.", Required = true };
        var level = new Option<CountLevel>("--level") { Description = "patients, studies, series or instances.", DefaultValueFactory = _ => CountLevel.Studies };
        var format = new Option<string>("--format") { Description = "table or json.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        return (db, level, format, new QueryFilters());
    }

    private static (CountEngine Engine, IReadOnlyList<SourceState> Sources) Load(string path)
    {
        using var catalogue = SiteCatalogue.OpenReadOnly(path);
        return (CountEngine.Build(catalogue.Series()), catalogue.Sources());
    }

    private static string Name(CountLevel level) => level.ToString().ToLowerInvariant();

    private static string Freshness(IReadOnlyList<SourceState> sources) =>
        sources.Count == 0 ? "no source indexed"
            : string.Join("; ", sources.Select(s => $"{s.Id}: last sync {(s.LastSuccessfulSync is { } t ? t.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "never completed")}, {s.StudiesIndexed} of {s.StudiesSeen} studies seen indexed{(s.FullPass is { } p ? $", a full sync under way ({p.WindowsDone} date windows done, {p.Pending.Count} pending)" : "")}{(s.LastError is null ? "" : ", last sync had a problem")}"));
}
