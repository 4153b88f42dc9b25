namespace NodeAgent.Pseudonymisation.Profiles;

/// <summary>
/// Keep or remove a private creator's elements, matched by creator string, group and offset in the
/// block (never by block number), at any depth.
/// </summary>
public sealed record PrivateCreatorRule(string Creator, ushort? Group, IReadOnlySet<byte>? Offsets, bool Keep, RuleCondition Condition)
{
    public string DeclaredIn { get; init; } = "";

    public bool Covers(ushort group, string creator, byte offset) =>
        string.Equals(Creator, creator.Trim(), StringComparison.Ordinal) &&
        (Group is null || Group == group) &&
        (Offsets is null || Offsets.Contains(offset));
}
