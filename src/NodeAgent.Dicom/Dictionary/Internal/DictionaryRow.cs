namespace NodeAgent.Dicom.Dictionary.Internal;

/// <summary>One parsed row of the generated tables; parity is 'e' (even), 'o' (odd) or 'u' (all).</summary>
internal sealed record DictionaryRow(
    ushort GroupLow,
    ushort GroupHigh,
    char GroupParity,
    ushort ElementLow,
    ushort ElementHigh,
    char ElementParity,
    DicomVR[] Vrs,
    string Vm,
    string Keyword,
    bool Retired,
    string? Creator)
{
    public bool IsSingleTag => GroupLow == GroupHigh && ElementLow == ElementHigh;

    public DicomDictionaryEntry ToEntry() =>
        new(new DicomTag(GroupLow, ElementLow), Keyword, Vrs, Vm, Retired, Creator);

    public bool Matches(ushort group, ushort element) =>
        InRange(group, GroupLow, GroupHigh, GroupParity) && InRange(element, ElementLow, ElementHigh, ElementParity);

    private static bool InRange(ushort value, ushort low, ushort high, char parity)
    {
        if (value < low || value > high)
        {
            return false;
        }

        return parity switch
        {
            'o' => (value & 1) == 1,
            'e' => low == high || (value & 1) == 0,
            _ => true,
        };
    }
}
