using System.CommandLine;
using NodeAgent.Cli.Internal;
using NodeAgent.Federation.Audit;
using NodeAgent.Pseudonymisation.Keys;
using NodeAgent.Service.Configuration;

namespace NodeAgent.Cli.Audit;

/// <summary><c>nodeagent audit verify</c>: is the federation audit log as NodeAgent wrote it?</summary>
internal static class AuditCommands
{
    public static Command Build(TextWriter output, TextWriter error)
    {
        var audit = new Command("audit", "The federation audit log.");
        var file = new Option<string?>("--file") { Description = "The audit log (default: the configuration's, audit.log beside the catalogue)." };
        var secret = new Option<string?>("--secret") { Description = "The site secret it was written under (default: the configuration's)." };
        var config = new Option<string?>("--config") { Description = "The site configuration file (as for nodeagent run)." };
        var verify = new Command("verify", "Check the log's chain: any line edited, deleted, inserted or moved is found, with its line number. Exit 1 when the log is not intact.") { file, secret, config };
        verify.SetAction((parse, _) => CliFailure.RunAsync("audit verify", error, () =>
        {
            var configuration = NodeAgentConfiguration.Load(parse.GetValue(config));
            var cataloguePath = Path.GetFullPath(configuration.Settings.Catalogue.Path);
            var path = parse.GetValue(file) ?? configuration.Settings.Federation.AuditFile ?? Path.Combine(Path.GetDirectoryName(cataloguePath)!, "audit.log");
            if (!File.Exists(path))
            {
                error.WriteLine($"nodeagent audit verify: no audit log at {Path.GetFullPath(path)}.");
                return Task.FromResult(1);
            }

            var secretPath = parse.GetValue(secret) ?? configuration.Settings.SiteSecretFile;
            var siteSecret = secretPath is not null
                ? SiteSecret.Load(secretPath)
                : SiteSecretArgument.Load(null, Path.GetDirectoryName(cataloguePath)!, "audit verify", "Verifying against the development secret.", error);
            var result = AuditVerifier.Verify(path, siteSecret.DeriveKey("audit-log"));
            if (result.IsIntact)
            {
                output.WriteLine($"audit: {Path.GetFullPath(path)}: {result.IntactLines} entries, chain intact; the last is entry {result.LastSequence}, MAC {result.LastMac?[..16]} (compare with the service's journal: lines cut off the end leave an intact but shorter chain).");
                return Task.FromResult(0);
            }

            output.WriteLine($"audit: {Path.GetFullPath(path)}: NOT INTACT: {result.Problem}. The {result.IntactLines} lines before it are intact.");
            return Task.FromResult(1);
        }));
        audit.Subcommands.Add(verify);
        return audit;
    }
}
