namespace NodeAgent.Pseudonymisation.Profiles;

/// <summary>When a rule applies: every list given must contain the instance's value (case-insensitive); an absent list matches all.</summary>
public sealed record RuleCondition(
    IReadOnlyList<string>? Modalities = null,
    IReadOnlyList<string>? SopClassUids = null,
    IReadOnlyList<string>? Manufacturers = null)
{
    public static RuleCondition Always { get; } = new();

    public bool IsAlways => Modalities is null && SopClassUids is null && Manufacturers is null;

    public bool Matches(InstanceFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        return Contains(Modalities, facts.Modality) && Contains(SopClassUids, facts.SopClassUid) && Contains(Manufacturers, facts.Manufacturer);
    }

    /// <summary>True when some instance could match both conditions.</summary>
    public bool Overlaps(RuleCondition other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Intersect(Modalities, other.Modalities) && Intersect(SopClassUids, other.SopClassUids) && Intersect(Manufacturers, other.Manufacturers);
    }

    /// <summary>Same condition, ignoring order and case.</summary>
    public bool SameAs(RuleCondition other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return SameSet(Modalities, other.Modalities) && SameSet(SopClassUids, other.SopClassUids) && SameSet(Manufacturers, other.Manufacturers);
    }

    public override string ToString()
    {
        var parts = new List<string>();
        if (Modalities is not null)
        {
            parts.Add("modality " + string.Join('|', Modalities));
        }

        if (SopClassUids is not null)
        {
            parts.Add("SOP class " + string.Join('|', SopClassUids));
        }

        if (Manufacturers is not null)
        {
            parts.Add("manufacturer " + string.Join('|', Manufacturers));
        }

        return parts.Count == 0 ? "always" : string.Join(", ", parts);
    }

    private static bool Contains(IReadOnlyList<string>? list, string? value) =>
        list is null || (value is not null && list.Any(v => string.Equals(v.Trim(), value.Trim(), StringComparison.OrdinalIgnoreCase)));

    private static bool Intersect(IReadOnlyList<string>? a, IReadOnlyList<string>? b) =>
        a is null || b is null || a.Any(x => b.Any(y => string.Equals(x.Trim(), y.Trim(), StringComparison.OrdinalIgnoreCase)));

    private static bool SameSet(IReadOnlyList<string>? a, IReadOnlyList<string>? b) =>
        (a is null && b is null) || (a is not null && b is not null && a.ToHashSet(StringComparer.OrdinalIgnoreCase).SetEquals(b));
}
