using System.CommandLine;
using Microsoft.Extensions.Hosting;
using NodeAgent.Cli.Internal;
using NodeAgent.Index.Catalogue;
using NodeAgent.Pseudonymisation.Keys;
using NodeAgent.Service;
using NodeAgent.Service.Configuration;

namespace NodeAgent.Cli.Run;

/// <summary>
/// <c>nodeagent run [--config FILE] [--check]</c>: the service. Checks the configuration, the site
/// secret and the catalogue before starting (each problem named by its key, exit 2), then runs until
/// stopped (Ctrl+C, SIGTERM, the service manager).
/// </summary>
internal static class RunCommand
{
    public const int ConfigurationExitCode = 2;

    public static Command Build(TextWriter output, TextWriter error)
    {
        var config = new Option<string?>("--config") { Description = $"The site configuration file (default: NODEAGENT_CONFIG, else {NodeAgentConfiguration.DefaultSiteFile} if it exists; without one, the development defaults)." };
        var check = new Option<bool>("--check") { Description = "Check the configuration, the site secret and the catalogue, say what would run, and exit." };
        var command = new Command("run", "Run the NodeAgent service: keep the catalogue in sync with the configured sources.") { config, check };
        command.SetAction((parse, ct) => CliFailure.RunAsync("run", error, () => RunAsync(parse.GetValue(config), parse.GetValue(check), output, error, ct)));
        return command;
    }

    private static async Task<int> RunAsync(string? configPath, bool checkOnly, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (ServiceSetup.Prepare(configPath, "run", error) is not { } setup)
        {
            return ConfigurationExitCode;
        }

        using var catalogue = setup.Catalogue;
        if (checkOnly)
        {
            await output.WriteLineAsync(setup.Describe()).ConfigureAwait(false);
            return 0;
        }

        using var host = NodeAgentService.Build(setup.Configuration, setup.Secret, catalogue);
        await host.RunAsync(cancellationToken).ConfigureAwait(false);
        return 0;
    }
}

/// <summary>What <c>run</c> and <c>index --source NAME</c> need from the configuration, checked.</summary>
internal sealed record ServiceSetup(LoadedConfiguration Configuration, SiteSecret Secret, SiteCatalogue Catalogue)
{
    /// <summary>Null (with the problems written) when something is wrong.</summary>
    public static ServiceSetup? Prepare(string? configPath, string command, TextWriter error, string? catalogueOverride = null, string? secretOverride = null)
    {
        LoadedConfiguration configuration;
        try
        {
            configuration = NodeAgentConfiguration.Load(configPath);
        }
        catch (ConfigurationProblemException e)
        {
            error.WriteLine($"nodeagent {command}: {e.Message}");
            return null;
        }

        var cataloguePath = Path.GetFullPath(catalogueOverride ?? configuration.Settings.Catalogue.Path);
        SiteSecret secret;
        try
        {
            var secretFile = secretOverride ?? configuration.Settings.SiteSecretFile;
            secret = secretFile is null
                ? SiteSecretArgument.Load(null, Path.GetDirectoryName(cataloguePath)!, command, "Development mode: patients are keyed with a secret that is not the site's.", error)
                : SiteSecret.Load(secretFile);
        }
        catch (SiteSecretException e)
        {
            error.WriteLine($"nodeagent {command}: NodeAgent:SiteSecretFile: {e.Message}");
            return null;
        }

        if (configuration.DemoFolder is { } demo && !Directory.Exists(demo))
        {
            var files = NodeAgent.Service.Internal.DemoCorpus.Write(demo, 60, 1);
            error.WriteLine($"nodeagent {command}: development mode without a site file: wrote a demo corpus of {files} files (60 made-up patients) into {demo}, indexed as the source 'demo'.");
        }

        foreach (var store in configuration.Sources.Where(s => s.Kind == "store"))
        {
            // The listener writes what it receives here: made now, so the first push finds it.
            Directory.CreateDirectory(store.Settings.Path!);
        }

        foreach (var folder in configuration.Sources.Where(s => s.Kind == "folder" && !Directory.Exists(s.Settings.Path)))
        {
            // Not fatal: a share may come back; the sync says so in the source's state until it does.
            error.WriteLine($"nodeagent {command}: warning: NodeAgent:Sources:{folder.Name}:Path: the folder {folder.Settings.Path} does not exist (yet).");
        }

        try
        {
            return new ServiceSetup(configuration, secret, SiteCatalogue.Open(cataloguePath));
        }
        catch (CatalogueException e)
        {
            error.WriteLine($"nodeagent {command}: NodeAgent:Catalogue:Path: {e.Message}");
            return null;
        }
    }

    public string Describe() =>
        $"configuration: {(Configuration.Files.Count == 0 ? "built-in defaults" : string.Join(", ", Configuration.Files))}{(Configuration.Development ? " (development mode)" : "")}" + Environment.NewLine +
        $"catalogue: {Catalogue.Path} ({Catalogue.SeriesCount} series)" + Environment.NewLine +
        $"federation: {DescribeFederation(Configuration.Federation)}" + Environment.NewLine +
        $"sources: {(Configuration.Sources.Count == 0 ? "none configured" : string.Join(", ", Configuration.Sources.Select(Describe)))}";

    private static string DescribeFederation(FederationEndpoint? e)
    {
        if (e is null)
        {
            return "off";
        }

        var inbound = e.Address is null ? "no inbound endpoint" : $"gRPC on {e.Address} ({(e.Tls is null ? "plain text, development mode" : "mutual TLS; requesters " + string.Join(", ", e.Requesters!.Entries.Select(r => $"{r.Name} ({string.Join(", ", r.Roles.Order(StringComparer.Ordinal))})")))})";
        return e.Tunnel is { } t ? $"{inbound}; tunnel to {t.Hub} for {t.Requester.Name} ({string.Join(", ", t.Requester.Roles.Order(StringComparer.Ordinal))})" : inbound;
    }

    private static string Describe(ResolvedSource s) => s.Kind switch
    {
        "folder" => $"{s.Name} (folder, read every {s.Schedule.FullEvery}, hours {s.Schedule.Hours})",
        "store" => $"{s.Name} (store: C-STORE to {s.Settings.AeTitle} on {s.Settings.Bind}:{s.Settings.Port} into {s.Settings.Path}, indexed on arrival, read again every {s.Schedule.FullEvery})",
        _ => $"{s.Name} ({s.Kind}, recent {s.Settings.RecentDays} days every {s.Schedule.RecentEvery}, everything every {s.Schedule.FullEvery}, hours {s.Schedule.Hours}, at most {s.Settings.MaxQueriesPerSecond} queries/s)",
    };
}
