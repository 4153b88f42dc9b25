using System.CommandLine;
using NodeAgent.Dicom.Dictionary;
using NodeAgent.Pseudonymisation.Profiles;
using NodeAgent.Pseudonymisation.Standard;

namespace NodeAgent.Cli.Pseudonymisation;

/// <summary><c>nodeagent profile check PROFILE</c>: validates a profile and says what it will do; exit 1 with every error otherwise.</summary>
internal static class ProfileCheckCommand
{
    public static Command Build(TextWriter output, TextWriter error)
    {
        var profile = new Argument<string>("PROFILE") { Description = "Profile name or path to a profile file." };
        var profilesDir = ProfileDirectories.CreateOption();
        var command = new Command("check", "Validate a profile and summarise what it does.") { profile, profilesDir };
        command.SetAction(parse => Run(parse.GetValue(profile)!, ProfileDirectories.Resolve(parse.GetValue(profilesDir)), output, error));
        return command;
    }

    public static int Run(string nameOrPath, string[] directories, TextWriter output, TextWriter error)
    {
        PseudonymisationProfile profile;
        try
        {
            profile = PseudonymisationProfile.Load(nameOrPath, directories);
        }
        catch (ProfileException e)
        {
            error.WriteLine("nodeagent profile check: " + e.Message);
            return 1;
        }

        output.WriteLine($"profile {profile.Name}: OK{(profile.Lineage.Count > 1 ? " (extends " + string.Join(" > ", profile.Lineage.Reverse().Skip(1)) + ")" : "")}");
        if (profile.Description is not null)
        {
            output.WriteLine($"  {profile.Description}");
        }

        output.WriteLine($"  base: PS3.15 Table E.1-1 Basic Profile ({ConfidentialityProfileTable.Standard.Rules.Count} rows, 2024b)");
        output.WriteLine($"  options: {(profile.Options == ConfidentialityOption.None ? "none" : profile.Options.ToString())}");
        output.WriteLine($"  mode: {(profile.Mode == ProfileMode.AllowList ? "allow-list (attributes no rule keeps are removed)" : "remove-listed (the standard's way)")}");
        var dates = (profile.Options & ConfidentialityOption.RetainLongitudinalTemporalInformationModifiedDates) != 0
            ? $"shifted per patient by {profile.DateShiftMinDays}..{profile.DateShiftMaxDays} days"
            : (profile.Options & ConfidentialityOption.RetainLongitudinalTemporalInformationFullDates) != 0 ? "kept" : "removed or replaced by dummies";
        output.WriteLine($"  dates: {dates}");
        output.WriteLine($"  attribute rules: {profile.AttributeRules.Count}");
        foreach (var rule in profile.AttributeRules)
        {
            var keyword = DicomDictionary.Find(rule.Tag)?.Keyword ?? rule.Tag.ToString();
            var detail = rule.Action switch
            {
                AttributeAction.Replace => $" '{rule.Value}'",
                AttributeAction.Hash when rule.Source is { } source => $" of {DicomDictionary.Find(source)?.Keyword ?? source.ToString()}",
                _ => "",
            };
            output.WriteLine($"    {keyword} {rule.Tag}: {rule.Action.ToString().ToLowerInvariant()}{detail}{(rule.Condition.IsAlways ? "" : " when " + rule.Condition)} [{rule.DeclaredIn}]");
        }

        output.WriteLine($"  private creator rules: {profile.PrivateCreatorRules.Count}{((profile.Options & ConfidentialityOption.RetainSafePrivate) != 0 ? $"; safe private attributes kept ({SafePrivateAttributes.Standard.Count} of Table E.3.10-1)" : "; other private attributes removed")}");
        foreach (var rule in profile.PrivateCreatorRules)
        {
            output.WriteLine($"    '{rule.Creator}' group {(rule.Group is { } g ? g.ToString("X4", System.Globalization.CultureInfo.InvariantCulture) : "any")}, offsets {(rule.Offsets is null ? "all" : string.Join(',', rule.Offsets.Order().Select(o => o.ToString("X2", System.Globalization.CultureInfo.InvariantCulture))))}: {(rule.Keep ? "keep" : "remove")}{(rule.Condition.IsAlways ? "" : " when " + rule.Condition)} [{rule.DeclaredIn}]");
        }

        output.WriteLine($"  burned-in text: {(profile.BurnedIn == BurnedInPolicy.Quarantine ? "quarantined unless a pixel rule blanks it" : "kept (the site checked these images)")}; pixel rules: {profile.PixelRules.Count}");
        foreach (var rule in profile.PixelRules)
        {
            output.WriteLine($"    {rule}");
        }

        return 0;
    }
}
