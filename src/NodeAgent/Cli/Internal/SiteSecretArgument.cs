using NodeAgent.Pseudonymisation.Keys;

namespace NodeAgent.Cli.Internal;

/// <summary>
/// The site secret for verbs that key pseudonyms (<c>pseudonymise</c>, <c>index</c>): the file given,
/// or else a development secret in <c>nodeagent-development.secret</c> beside the output, created
/// once (0600) and announced with a warning, so a trial run works and nobody mistakes it for the site's.
/// </summary>
internal static class SiteSecretArgument
{
    public const string DevelopmentSecretName = "nodeagent-development.secret";

    /// <exception cref="SiteSecretException">The file given cannot be used.</exception>
    public static SiteSecret Load(string? path, string besideDirectory, string command, string consequence, TextWriter error)
    {
        if (path is not null)
        {
            return SiteSecret.Load(path);
        }

        var development = Path.Combine(besideDirectory, DevelopmentSecretName);
        var existed = File.Exists(development);
        var secret = SiteSecret.CreateOrLoad(development);
        error.WriteLine($"nodeagent {command}: warning: no --secret given; using the development secret {development} ({(existed ? "already there" : "created now")}). {consequence}");
        return secret;
    }
}
