using System.CommandLine;
using System.Text.Json;
using NodeAgent.Cli.Internal;
using NodeAgent.Service.Diagnostics;

namespace NodeAgent.Cli.Doctor;

/// <summary>
/// <c>nodeagent doctor [--config FILE] [--format json]</c>: one OK/WARN/FAIL line per check, exit 1
/// when any check fails (for monitoring and install scripts), 0 otherwise.
/// </summary>
internal static class DoctorCommand
{
    public static Command Build(TextWriter output, TextWriter error)
    {
        var config = new Option<string?>("--config") { Description = "The site configuration file (as for run)." };
        var format = new Option<string>("--format") { Description = "table or json.", DefaultValueFactory = _ => "table" };
        var command = new Command("doctor", "Check this node: configuration, site secret, sources reachable, hub reachable, certificates, disk, clock, catalogue freshness.") { config, format };
        command.SetAction((parse, ct) => CliFailure.RunAsync("doctor", error, async () =>
        {
            var checks = await SiteDoctor.ExamineAsync(parse.GetValue(config), cancellationToken: ct).ConfigureAwait(false);
            if (parse.GetValue(format) == "json")
            {
                output.WriteLine(JsonSerializer.Serialize(checks.Select(c => new Dictionary<string, string> { ["check"] = c.Name, ["verdict"] = c.Verdict.ToString().ToUpperInvariant(), ["detail"] = c.Detail })));
            }
            else
            {
                var width = checks.Max(c => c.Name.Length);
                foreach (var check in checks)
                {
                    output.WriteLine($"{check.Verdict.ToString().ToUpperInvariant(),-4}  {check.Name.PadRight(width)}  {check.Detail}");
                }

                var failed = checks.Count(c => c.Verdict == Verdict.Fail);
                var warned = checks.Count(c => c.Verdict == Verdict.Warn);
                output.WriteLine(failed > 0 ? $"{failed} check(s) failed, {warned} warning(s)." : warned > 0 ? $"No failures; {warned} warning(s)." : "All checks passed.");
            }

            return checks.Any(c => c.Verdict == Verdict.Fail) ? 1 : 0;
        }));
        return command;
    }
}
