namespace NodeAgent.Dicom.Values;

/// <summary>One component group of a person name: family^given^middle^prefix^suffix.</summary>
public sealed record DicomPersonNameGroup(string FamilyName, string GivenName, string MiddleName, string NamePrefix, string NameSuffix)
{
    public static DicomPersonNameGroup Empty { get; } = new("", "", "", "", "");

    public bool IsEmpty => ToString().Length == 0;

    public static DicomPersonNameGroup Parse(string group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var c = group.Split('^');
        string At(int i) => i < c.Length ? c[i] : "";
        return new DicomPersonNameGroup(At(0), At(1), At(2), At(3), At(4));
    }

    public override string ToString()
    {
        var parts = new[] { FamilyName, GivenName, MiddleName, NamePrefix, NameSuffix };
        var count = parts.Length;
        while (count > 0 && parts[count - 1].Length == 0)
        {
            count--;
        }

        return string.Join('^', parts, 0, count);
    }
}
