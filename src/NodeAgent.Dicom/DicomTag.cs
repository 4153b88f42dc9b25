using System.Globalization;

namespace NodeAgent.Dicom;

/// <summary>
/// A DICOM data element tag (group, element). A 32-bit value type: cheap to copy, compare and hash.
/// Well-known tags are on <see cref="DicomTags"/>, generated from the data dictionary.
/// </summary>
public readonly struct DicomTag : IEquatable<DicomTag>, IComparable<DicomTag>, ISpanFormattable
{
    public DicomTag(uint value) => Value = value;

    public DicomTag(ushort group, ushort element) => Value = ((uint)group << 16) | element;

    /// <summary>The tag as <c>(group &lt;&lt; 16) | element</c>.</summary>
    public uint Value { get; }

    public ushort Group => (ushort)(Value >> 16);

    public ushort Element => (ushort)Value;

    /// <summary>Odd groups are private (PS3.5 7.8). Groups 0001, 0003, 0005 and 0007 are illegal, not private.</summary>
    public bool IsPrivate => (Group & 1) == 1 && Group > 0x0007;

    /// <summary>A private creator element (gggg,0010-00FF) reserving a block of its group.</summary>
    public bool IsPrivateCreator => IsPrivate && Element is >= 0x0010 and <= 0x00FF;

    /// <summary>The private creator element that reserves this private element's block.</summary>
    public DicomTag PrivateCreatorTag => new(Group, (ushort)(Element >> 8));

    /// <summary>True for the group length element (gggg,0000).</summary>
    public bool IsGroupLength => Element == 0;

    /// <summary>Item, item delimitation and sequence delimitation tags (group FFFE).</summary>
    public bool IsDelimiter => Group == 0xFFFE;

    public static DicomTag Item => new(0xFFFEE000u);

    public static DicomTag ItemDelimitationItem => new(0xFFFEE00Du);

    public static DicomTag SequenceDelimitationItem => new(0xFFFEE0DDu);

    public static bool operator ==(DicomTag left, DicomTag right) => left.Value == right.Value;

    public static bool operator !=(DicomTag left, DicomTag right) => left.Value != right.Value;

    public static bool operator <(DicomTag left, DicomTag right) => left.Value < right.Value;

    public static bool operator >(DicomTag left, DicomTag right) => left.Value > right.Value;

    public static bool operator <=(DicomTag left, DicomTag right) => left.Value <= right.Value;

    public static bool operator >=(DicomTag left, DicomTag right) => left.Value >= right.Value;

    /// <summary>Parses <c>(gggg,eeee)</c>, <c>gggg,eeee</c> or <c>ggggeeee</c> (hex, any case).</summary>
    public static DicomTag Parse(string text) =>
        TryParse(text, out var tag) ? tag : throw new FormatException($"'{text}' is not a DICOM tag; expected (gggg,eeee) or ggggeeee in hexadecimal.");

    public static bool TryParse(ReadOnlySpan<char> text, out DicomTag tag)
    {
        tag = default;
        text = text.Trim();
        if (text.Length >= 2 && text[0] == '(' && text[^1] == ')')
        {
            text = text[1..^1];
        }

        Span<char> digits = stackalloc char[8];
        var n = 0;
        foreach (var c in text)
        {
            if (c == ',' && n == 4)
            {
                continue;
            }

            if (n == 8 || !char.IsAsciiHexDigit(c))
            {
                return false;
            }

            digits[n++] = c;
        }

        if (n != 8 || !uint.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        tag = new DicomTag(value);
        return true;
    }

    public bool Equals(DicomTag other) => Value == other.Value;

    public override bool Equals(object? obj) => obj is DicomTag other && Equals(other);

    public override int GetHashCode() => (int)Value;

    public int CompareTo(DicomTag other) => Value.CompareTo(other.Value);

    /// <summary>Formats as <c>(GGGG,EEEE)</c>; the format "X" gives <c>GGGGEEEE</c> (the DICOM JSON key).</summary>
    public override string ToString() => ToString(null, null);

    public string ToString(string? format, IFormatProvider? formatProvider) =>
        format == "X" ? Value.ToString("X8", CultureInfo.InvariantCulture) : $"({Group:X4},{Element:X4})";

    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        if (format.SequenceEqual("X"))
        {
            return Value.TryFormat(destination, out charsWritten, "X8", CultureInfo.InvariantCulture);
        }

        return destination.TryWrite(CultureInfo.InvariantCulture, $"({Group:X4},{Element:X4})", out charsWritten);
    }
}
