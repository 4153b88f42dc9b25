namespace NodeAgent.Dicom.Text.Internal;

/// <summary>
/// The code elements of PS3.3 Tables C.12-2 to C.12-4 and the escape sequences that designate them.
/// </summary>
internal static class CodeElements
{
    public const byte Esc = 0x1B;

    public static readonly AsciiCodeElement Ascii = new("ISO-IR 6", [Esc, (byte)'(', (byte)'B']);
    public static readonly AsciiCodeElement Romaji = new("ISO-IR 14", [Esc, (byte)'(', (byte)'J']);
    public static readonly KatakanaCodeElement Katakana = new([Esc, (byte)')', (byte)'I']);

    public static readonly SingleByteCodeElement Latin1 = Iso8859("ISO-IR 100", 'A', CodePages.Latin1);
    public static readonly SingleByteCodeElement Latin2 = Iso8859("ISO-IR 101", 'B', 28592);
    public static readonly SingleByteCodeElement Latin3 = Iso8859("ISO-IR 109", 'C', 28593);
    public static readonly SingleByteCodeElement Latin4 = Iso8859("ISO-IR 110", 'D', 28594);
    public static readonly SingleByteCodeElement Cyrillic = Iso8859("ISO-IR 144", 'L', 28595);
    public static readonly SingleByteCodeElement Arabic = Iso8859("ISO-IR 127", 'G', 28596);
    public static readonly SingleByteCodeElement Greek = Iso8859("ISO-IR 126", 'F', 28597);
    public static readonly SingleByteCodeElement Hebrew = Iso8859("ISO-IR 138", 'H', 28598);
    public static readonly SingleByteCodeElement Latin5 = Iso8859("ISO-IR 148", 'M', 28599);
    public static readonly SingleByteCodeElement Latin9 = Iso8859("ISO-IR 203", 'b', 28605);

    // TIS 620-2533 has no .NET code page of its own; windows-874 is a superset of it.
    public static readonly SingleByteCodeElement Thai = Iso8859("ISO-IR 166", 'T', CodePages.Thai);

    public static readonly JisKanjiCodeElement JisX0208 =
        new("ISO-IR 87", [Esc, (byte)'$', (byte)'B'], supplementary: false);

    public static readonly JisKanjiCodeElement JisX0212 =
        new("ISO-IR 159", [Esc, (byte)'$', (byte)'(', (byte)'D'], supplementary: true);

    public static readonly EucCodeElement KsX1001 = new("ISO-IR 149", [Esc, (byte)'$', (byte)')', (byte)'C'], CodePages.EucKr);

    public static readonly EucCodeElement Gb2312 = new("ISO-IR 58", [Esc, (byte)'$', (byte)')', (byte)'A'], CodePages.Gb2312);

    // Every designation a reader accepts. It is not limited to the declared terms: the escape
    // sequence alone identifies the set, and honouring it decodes more real-world files correctly.
    private static readonly (byte[] Sequence, CodeElement Element)[] Designations =
    [
        .. new CodeElement[]
        {
            Ascii, Romaji, Katakana, Latin1, Latin2, Latin3, Latin4, Cyrillic, Arabic, Greek, Hebrew,
            Latin5, Latin9, Thai, JisX0208, JisX0212, KsX1001, Gb2312,
        }.Select(e => (e.EscapeSequence, e)),

        // JIS C 6226-1978 (ISO-IR 42), the predecessor of JIS X 0208, still sent by old equipment.
        ([Esc, (byte)'$', (byte)'@'], JisX0208),
    ];

    /// <summary>
    /// Length of the escape sequence at the start of <paramref name="bytes"/> (which starts with ESC):
    /// ESC, intermediate bytes 0x20-0x2F, one final byte 0x30-0x7E (ISO/IEC 2022 clause 13).
    /// A malformed sequence counts as the lone ESC.
    /// </summary>
    public static int EscapeSequenceLength(ReadOnlySpan<byte> bytes)
    {
        var i = 1;
        while (i < bytes.Length && bytes[i] is >= 0x20 and <= 0x2F)
        {
            i++;
        }

        return i < bytes.Length && bytes[i] is >= 0x30 and <= 0x7E ? i + 1 : 1;
    }

    /// <summary>Finds the element designated by the escape sequence that <paramref name="sequence"/> is.</summary>
    public static CodeElement? FindDesignation(ReadOnlySpan<byte> sequence)
    {
        foreach (var (candidate, element) in Designations)
        {
            if (sequence.SequenceEqual(candidate))
            {
                return element;
            }
        }

        return null;
    }

    private static SingleByteCodeElement Iso8859(string registration, char final, int codePage) =>
        new(registration, [Esc, (byte)'-', (byte)final], codePage);
}
