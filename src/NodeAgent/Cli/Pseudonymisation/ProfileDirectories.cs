using System.CommandLine;

namespace NodeAgent.Cli.Pseudonymisation;

/// <summary>Where site profiles live: <c>--profiles-dir</c>, then the site folder; the built-in profiles come last.</summary>
internal static class ProfileDirectories
{
    public static Option<string[]> CreateOption() => new("--profiles-dir")
    {
        Description = $"Folder of site profiles (NAME.json), searched before {SiteDirectory} and the built-in profiles. Repeatable.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static string SiteDirectory => OperatingSystem.IsWindows()
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "NodeAgent", "profiles")
        : "/etc/nodeagent/profiles";

    public static string[] Resolve(string[]? given) => [.. given ?? [], SiteDirectory];
}
