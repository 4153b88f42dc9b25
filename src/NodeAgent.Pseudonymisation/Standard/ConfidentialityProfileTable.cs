using System.Collections.Frozen;
using NodeAgent.Dicom;
using NodeAgent.Pseudonymisation.Standard.Internal;

namespace NodeAgent.Pseudonymisation.Standard;

/// <summary>
/// PS3.15 Table E.1-1 (2024b), read from the standard's data embedded in this assembly: the attributes
/// the Basic Application Level Confidentiality Profile acts on, with the action of each option.
/// </summary>
public sealed class ConfidentialityProfileTable
{
    private static readonly Lazy<ConfidentialityProfileTable> LazyStandard = new(ConfidentialityTableReader.ReadEmbedded);
    private readonly FrozenDictionary<DicomTag, ConfidentialityRule> _byTag;

    internal ConfidentialityProfileTable(IReadOnlyList<ConfidentialityRule> rules)
    {
        Rules = rules;
        var byTag = new Dictionary<DicomTag, ConfidentialityRule>();
        foreach (var rule in rules)
        {
            if (ConfidentialityRule.IsExactTag(rule.TagText, out var tag))
            {
                byTag[tag] = rule;
            }
            else if (rule.TagText.StartsWith("(50XX", StringComparison.OrdinalIgnoreCase))
            {
                CurveData = rule;
            }
            else if (rule.TagText.Equals("(60XX,3000)", StringComparison.OrdinalIgnoreCase))
            {
                OverlayData = rule;
            }
            else if (rule.TagText.Equals("(60XX,4000)", StringComparison.OrdinalIgnoreCase))
            {
                OverlayComments = rule;
            }
            else if (rule.TagText.Contains("ODD", StringComparison.OrdinalIgnoreCase))
            {
                PrivateAttributes = rule;
            }
            else
            {
                throw new InvalidDataException($"Table E.1-1 row {rule.TagText} is neither a tag nor one of the known group rows.");
            }
        }

        _byTag = byTag.ToFrozenDictionary();
        if (CurveData is null || OverlayData is null || OverlayComments is null || PrivateAttributes is null)
        {
            throw new InvalidDataException("Table E.1-1 lacks the curve, overlay or private attribute rows.");
        }
    }

    /// <summary>The table as published (2024b), embedded in this assembly.</summary>
    public static ConfidentialityProfileTable Standard => LazyStandard.Value;

    /// <summary>Every row, in the order of the table.</summary>
    public IReadOnlyList<ConfidentialityRule> Rules { get; }

    /// <summary>Curve Data (50xx,xxxx): every element of the retired curve groups.</summary>
    public ConfidentialityRule CurveData { get; } = null!;

    /// <summary>Overlay Data (60xx,3000).</summary>
    public ConfidentialityRule OverlayData { get; } = null!;

    /// <summary>Overlay Comments (60xx,4000).</summary>
    public ConfidentialityRule OverlayComments { get; } = null!;

    /// <summary>Private attributes (odd groups): removed, or cleaned under Retain Safe Private.</summary>
    public ConfidentialityRule PrivateAttributes { get; } = null!;

    /// <summary>The row for a standard attribute, or null when the table does not list it.</summary>
    public ConfidentialityRule? Find(DicomTag tag)
    {
        if (_byTag.TryGetValue(tag, out var rule))
        {
            return rule;
        }

        if (tag.IsPrivate)
        {
            return PrivateAttributes;
        }

        return (tag.Group & 0xFF01) switch
        {
            0x5000 => CurveData,
            0x6000 when tag.Element == 0x3000 => OverlayData,
            0x6000 when tag.Element == 0x4000 => OverlayComments,
            _ => null,
        };
    }
}
