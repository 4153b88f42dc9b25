using System.CommandLine;

namespace NodeAgent.Cli.Pseudonymisation;

/// <summary><c>nodeagent profile check|explain</c>: for site admins tuning a pseudonymisation profile.</summary>
internal static class ProfileCommands
{
    public static Command Build(TextWriter output, TextWriter error)
    {
        var profile = new Command("profile", "Check and try out pseudonymisation profiles.");
        profile.Subcommands.Add(ProfileCheckCommand.Build(output, error));
        profile.Subcommands.Add(ProfileExplainCommand.Build(output, error));
        return profile;
    }
}
