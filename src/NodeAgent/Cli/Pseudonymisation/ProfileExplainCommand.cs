using System.CommandLine;
using NodeAgent.Dicom;
using NodeAgent.Pseudonymisation;
using NodeAgent.Pseudonymisation.Keys;
using NodeAgent.Pseudonymisation.Profiles;

namespace NodeAgent.Cli.Pseudonymisation;

/// <summary>
/// <c>nodeagent profile explain --profile P FILE</c>: for each element, the action and where it comes
/// from, the value before and after. It shows original values: it is for a site admin on site, on
/// the terminal, and nothing of it is logged.
/// </summary>
internal static class ProfileExplainCommand
{
    public static Command Build(TextWriter output, TextWriter error)
    {
        var profile = new Option<string>("--profile") { Description = "Profile name or path to a profile file.", Required = true };
        var file = new Argument<string>("FILE") { Description = "A DICOM file to try the profile on (it is not changed)." };
        var secret = new Option<string?>("--secret") { Description = "The site secret, to show the pseudonyms a real run makes (otherwise a throw-away key is used)." };
        var changedOnly = new Option<bool>("--changed-only") { Description = "List only the elements the profile changes or removes." };
        var profilesDir = ProfileDirectories.CreateOption();
        var command = new Command("explain", "Show what a profile does to each element of a file.") { file, profile, secret, changedOnly, profilesDir };
        command.SetAction(parse => Run(parse.GetValue(profile)!, parse.GetValue(file)!, parse.GetValue(secret), parse.GetValue(changedOnly), ProfileDirectories.Resolve(parse.GetValue(profilesDir)), output, error));
        return command;
    }

    public static int Run(string profileName, string path, string? secretPath, bool changedOnly, string[] directories, TextWriter output, TextWriter error)
    {
        PseudonymisationProfile profile;
        SiteSecret secret;
        try
        {
            profile = PseudonymisationProfile.Load(profileName, directories);
            secret = secretPath is null ? SiteSecret.CreateEphemeral() : SiteSecret.Load(secretPath);
        }
        catch (Exception e) when (e is ProfileException or SiteSecretException)
        {
            error.WriteLine("nodeagent profile explain: " + e.Message);
            return 1;
        }

        DicomFile file;
        try
        {
            file = DicomFile.Open(path);
        }
        catch (Exception e) when (e is DicomException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"nodeagent profile explain: {path}: {e.Message}");
            return 1;
        }

        using (file)
        {
            var entries = new List<ExplainEntry>();
            var result = new Pseudonymiser(profile, secret).Pseudonymise(file, entries);
            if (result.Quarantine is { } reason)
            {
                output.WriteLine($"{path}: quarantined ({reason})");
                return 0;
            }

            var shown = entries.Where(e => !changedOnly || e.Before != e.After).ToList();
            var widths = (
                Path: Math.Max(4, shown.Select(e => e.Path.Length).DefaultIfEmpty().Max()),
                Name: Math.Min(40, Math.Max(4, shown.Select(e => e.Name.Length).DefaultIfEmpty().Max())),
                Action: Math.Max(6, shown.Select(e => e.Action.Length).DefaultIfEmpty().Max()));
            output.WriteLine($"{"PATH".PadRight(widths.Path)}  {"NAME".PadRight(widths.Name)}  {"ACTION".PadRight(widths.Action)}  BEFORE -> AFTER");
            foreach (var entry in shown)
            {
                var name = entry.Name.Length > widths.Name ? entry.Name[..(widths.Name - 1)] + "~" : entry.Name;
                output.WriteLine($"{entry.Path.PadRight(widths.Path)}  {name.PadRight(widths.Name)}  {entry.Action.PadRight(widths.Action)}  {entry.Before} -> {entry.After}");
            }

            output.WriteLine($"{path}: {entries.Count} elements, {entries.Count(e => e.After == "(removed)")} removed, {entries.Count(e => e.After != "(removed)" && e.Before != e.After)} changed; " +
                $"then Patient Identity Removed, De-identification Method and its code sequence are set{(secretPath is null ? "; pseudonyms shown are from a throw-away key (give --secret for the real ones)" : "")}.");
            return 0;
        }
    }
}
