namespace NodeAgent.Dicom.Dictionary;

/// <summary>
/// One data dictionary entry: the tag (or the repeating-group range it covers), its keyword, VR(s),
/// value multiplicity and whether it is retired. Private entries also name their private creator.
/// </summary>
public sealed class DicomDictionaryEntry
{
    internal DicomDictionaryEntry(
        DicomTag tag, string keyword, DicomVR[] valueRepresentations, string valueMultiplicity, bool isRetired, string? privateCreator)
    {
        Tag = tag;
        Keyword = keyword;
        ValueRepresentations = valueRepresentations;
        ValueMultiplicity = valueMultiplicity;
        IsRetired = isRetired;
        PrivateCreator = privateCreator;
    }

    /// <summary>The tag; for a repeating group, its first group; for a private entry, the element offset in block 0x10.</summary>
    public DicomTag Tag { get; }

    public string Keyword { get; }

    /// <summary>The VR, or the alternatives the standard allows ("US or SS", "OB or OW"); empty for delimiters.</summary>
    public IReadOnlyList<DicomVR> ValueRepresentations { get; }

    /// <summary>The first (default) VR, or <see cref="DicomVR.None"/>.</summary>
    public DicomVR ValueRepresentation => ValueRepresentations.Count > 0 ? ValueRepresentations[0] : DicomVR.None;

    /// <summary>True when the standard allows more than one VR and the right one depends on context.</summary>
    public bool IsAmbiguous => ValueRepresentations.Count > 1;

    public string ValueMultiplicity { get; }

    public bool IsRetired { get; }

    public string? PrivateCreator { get; }

    public override string ToString() => PrivateCreator is null
        ? $"{Tag} {Keyword} {string.Join(" or ", ValueRepresentations.Select(v => v.Code()))} VM {ValueMultiplicity}"
        : $"({Tag.Group:X4},\"{PrivateCreator}\",{Tag.Element & 0xFF:X2}) {Keyword}";
}
