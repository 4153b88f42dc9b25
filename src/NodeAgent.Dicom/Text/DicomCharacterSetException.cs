using System.Globalization;

namespace NodeAgent.Dicom.Text;

/// <summary>
/// A text value cannot be represented in the declared character sets. The message and properties
/// name the character set, the position and the Unicode category of the offending character, never
/// the value or the character itself: values are often patient names, and messages end up in logs.
/// </summary>
public sealed class DicomCharacterSetException : DicomException
{
    public DicomCharacterSetException()
    {
    }

    public DicomCharacterSetException(string message)
        : base(message)
    {
    }

    public DicomCharacterSetException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DicomCharacterSetException(string message, string characterSet, int position, UnicodeCategory category)
        : base(message)
    {
        CharacterSet = characterSet;
        Position = position;
        Category = category;
    }

    /// <summary>The character set the value was encoded for, e.g. "ISO_IR 100" or "default repertoire".</summary>
    public string? CharacterSet { get; }

    /// <summary>UTF-16 index of the first character that cannot be represented; -1 when not known.</summary>
    public int Position { get; } = -1;

    /// <summary>Unicode category of that character.</summary>
    public UnicodeCategory? Category { get; }
}
