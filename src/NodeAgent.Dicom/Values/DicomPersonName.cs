namespace NodeAgent.Dicom.Values;

/// <summary>
/// A PN value (PS3.5 6.2.1): up to three component groups (alphabetic, ideographic, phonetic)
/// separated by '=', each of five components separated by '^'.
/// </summary>
public sealed class DicomPersonName
{
    private DicomPersonName(string value, DicomPersonNameGroup alphabetic, DicomPersonNameGroup ideographic, DicomPersonNameGroup phonetic)
    {
        Value = value;
        Alphabetic = alphabetic;
        Ideographic = ideographic;
        Phonetic = phonetic;
    }

    /// <summary>The value as encoded, e.g. "Yamada^Tarou=山田^太郎=やまだ^たろう".</summary>
    public string Value { get; }

    public DicomPersonNameGroup Alphabetic { get; }

    public DicomPersonNameGroup Ideographic { get; }

    public DicomPersonNameGroup Phonetic { get; }

    public static DicomPersonName Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var groups = value.Split('=');
        DicomPersonNameGroup Group(int i) => i < groups.Length ? DicomPersonNameGroup.Parse(groups[i]) : DicomPersonNameGroup.Empty;
        return new DicomPersonName(value, Group(0), Group(1), Group(2));
    }

    /// <summary>Builds the encoded form, dropping trailing empty components and groups as PS3.5 recommends.</summary>
    public static DicomPersonName Create(DicomPersonNameGroup alphabetic, DicomPersonNameGroup? ideographic = null, DicomPersonNameGroup? phonetic = null)
    {
        ArgumentNullException.ThrowIfNull(alphabetic);
        var parts = new[] { alphabetic.ToString(), ideographic?.ToString() ?? "", phonetic?.ToString() ?? "" };
        var count = parts.Length;
        while (count > 1 && parts[count - 1].Length == 0)
        {
            count--;
        }

        return Parse(string.Join('=', parts, 0, count));
    }

    /// <summary>The component groups as written (one to three), for DICOM JSON.</summary>
    public IReadOnlyList<string> RawGroups => Value.Split('=');

    public override string ToString() => Value;
}
