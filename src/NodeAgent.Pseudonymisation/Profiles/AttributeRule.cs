using NodeAgent.Dicom;

namespace NodeAgent.Pseudonymisation.Profiles;

/// <summary>A profile's own action for one standard attribute, wherever it occurs (top level or in a sequence).</summary>
public sealed record AttributeRule(DicomTag Tag, AttributeAction Action, RuleCondition Condition)
{
    /// <summary>The value written by <see cref="AttributeAction.Replace"/>.</summary>
    public string? Value { get; init; }

    /// <summary>For <see cref="AttributeAction.Hash"/>: take the pseudonym of this attribute's value instead (PatientName from PatientID, say).</summary>
    public DicomTag? Source { get; init; }

    /// <summary>The profile that declared the rule (an extended profile's rules can be overridden).</summary>
    public string DeclaredIn { get; init; } = "";
}
