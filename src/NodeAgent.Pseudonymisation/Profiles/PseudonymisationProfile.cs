using System.Collections.Frozen;
using NodeAgent.Dicom;
using NodeAgent.Pseudonymisation.Profiles.Internal;
using NodeAgent.Pseudonymisation.Standard;

namespace NodeAgent.Pseudonymisation.Profiles;

/// <summary>
/// A validated pseudonymisation profile: the standard's options, the site's own rules, and what to do
/// with images that may carry burned-in text. Immutable; one instance serves every worker thread.
/// Load one with <see cref="Load"/>; profiles are JSON files (see config/profiles/README.md).
/// </summary>
public sealed class PseudonymisationProfile
{
    private readonly FrozenDictionary<DicomTag, AttributeRule[]> _rulesByTag;

    internal PseudonymisationProfile(
        string name,
        string? description,
        IReadOnlyList<string> lineage,
        ConfidentialityOption options,
        ProfileMode mode,
        (int Min, int Max) dateShift,
        IReadOnlyList<AttributeRule> attributeRules,
        IReadOnlyList<PrivateCreatorRule> privateCreatorRules,
        BurnedInPolicy burnedIn,
        IReadOnlyList<PixelRule> pixelRules)
    {
        Name = name;
        Description = description;
        Lineage = lineage;
        Options = options;
        Mode = mode;
        DateShiftMinDays = dateShift.Min;
        DateShiftMaxDays = dateShift.Max;
        AttributeRules = attributeRules;
        PrivateCreatorRules = privateCreatorRules;
        BurnedIn = burnedIn;
        PixelRules = pixelRules;
        _rulesByTag = attributeRules.GroupBy(r => r.Tag).ToFrozenDictionary(g => g.Key, g => g.ToArray());
    }

    /// <summary>The default date shift range: up to three years back, never zero.</summary>
    public const int DefaultDateShiftMinDays = -1095;

    public const int DefaultDateShiftMaxDays = -1;

    /// <summary>The profiles that ship inside NodeAgent.</summary>
    public static IReadOnlyList<string> BuiltInNames => ProfileLoader.BuiltInNames;

    public string Name { get; }

    /// <summary>A short hash of the profile files as loaded: it changes when any of them changes.</summary>
    public string Fingerprint { get; internal init; } = "";

    public string? Description { get; }

    /// <summary>This profile and the ones it extends, the most basic first.</summary>
    public IReadOnlyList<string> Lineage { get; }

    public ConfidentialityOption Options { get; }

    public ProfileMode Mode { get; }

    public int DateShiftMinDays { get; }

    public int DateShiftMaxDays { get; }

    /// <summary>Attribute rules, the extending profile's first.</summary>
    public IReadOnlyList<AttributeRule> AttributeRules { get; }

    public IReadOnlyList<PrivateCreatorRule> PrivateCreatorRules { get; }

    public BurnedInPolicy BurnedIn { get; }

    public IReadOnlyList<PixelRule> PixelRules { get; }

    /// <summary>
    /// Loads a profile by name (a site profile folder first, then the built-in ones) or by path to a
    /// JSON file, with the profiles it extends, and validates it.
    /// </summary>
    /// <exception cref="ProfileException">The profile is missing or invalid; every problem is listed.</exception>
    public static PseudonymisationProfile Load(string nameOrPath, IEnumerable<string>? searchDirectories = null) =>
        ProfileLoader.Load(nameOrPath, searchDirectories?.ToArray() ?? []);

    /// <summary>Builds a profile from JSON text (for tests and tools); <paramref name="origin"/> names it in errors.</summary>
    public static PseudonymisationProfile Parse(string json, string origin = "profile", IEnumerable<string>? searchDirectories = null) =>
        ProfileLoader.Parse(json, origin, searchDirectories?.ToArray() ?? []);

    /// <summary>The rule of this profile for an attribute in an instance, or null when the standard's action applies.</summary>
    public AttributeRule? FindRule(DicomTag tag, InstanceFacts facts)
    {
        if (!_rulesByTag.TryGetValue(tag, out var rules))
        {
            return null;
        }

        foreach (var rule in rules)
        {
            if (rule.Condition.Matches(facts))
            {
                return rule;
            }
        }

        return null;
    }

    /// <summary>The private creator rule for an element, or null.</summary>
    public PrivateCreatorRule? FindPrivateRule(ushort group, string creator, byte offset, InstanceFacts facts)
    {
        foreach (var rule in PrivateCreatorRules)
        {
            if (rule.Covers(group, creator, offset) && rule.Condition.Matches(facts))
            {
                return rule;
            }
        }

        return null;
    }

    /// <summary>The pixel rule for an image, or null.</summary>
    public PixelRule? FindPixelRule(InstanceFacts facts) => PixelRules.FirstOrDefault(r => r.Matches(facts));
}
