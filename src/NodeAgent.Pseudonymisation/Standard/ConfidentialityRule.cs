using NodeAgent.Dicom;

namespace NodeAgent.Pseudonymisation.Standard;

/// <summary>
/// One row of PS3.15 Table E.1-1: the Basic Profile's action for an attribute, and the action each
/// option puts in its place.
/// </summary>
public sealed class ConfidentialityRule
{
    private readonly IReadOnlyDictionary<ConfidentialityOption, ConfidentialityAction> _optionActions;

    internal ConfidentialityRule(string name, string tagText, ConfidentialityAction basicAction, IReadOnlyDictionary<ConfidentialityOption, ConfidentialityAction> optionActions)
    {
        Name = name;
        TagText = tagText;
        BasicAction = basicAction;
        _optionActions = optionActions;
    }

    /// <summary>The attribute's name in the table.</summary>
    public string Name { get; }

    /// <summary>The tag as the table writes it, with its wildcards: <c>(0010,0010)</c>, <c>(60XX,3000)</c>.</summary>
    public string TagText { get; }

    public ConfidentialityAction BasicAction { get; }

    /// <summary>The options that change this attribute's action.</summary>
    public IEnumerable<ConfidentialityOption> Options => _optionActions.Keys;

    /// <summary>
    /// The action under the chosen options. When several options apply, Keep wins over Clean, and both
    /// over the Basic Profile: each option retains something, and the site chose to retain it.
    /// </summary>
    public ConfidentialityAction ActionFor(ConfidentialityOption options)
    {
        ConfidentialityAction? chosen = null;
        foreach (var (option, action) in _optionActions)
        {
            if ((options & option) == 0)
            {
                continue;
            }

            if (chosen is null || action == ConfidentialityAction.Keep)
            {
                chosen = action;
            }
        }

        return chosen ?? BasicAction;
    }

    public override string ToString() => $"{TagText} {Name}: {ConfidentialityActionCodes.Format(BasicAction)}";

    internal static bool IsExactTag(string tagText, out DicomTag tag) =>
        DicomTag.TryParse(tagText, out tag) && !tagText.Contains('X', StringComparison.OrdinalIgnoreCase);
}
