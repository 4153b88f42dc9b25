namespace NodeAgent.Dicom.Text.Internal;

/// <summary>
/// Decodes a value as an ISO/IEC 2022 byte stream (PS3.5 6.1.2.5): bytes below 0x80 belong to the set
/// designated into G0, bytes from 0x80 to the set in G1; escape sequences change the designations and
/// the reset delimiters restore the initial ones. Never throws: undecodable bytes become U+FFFD, bytes
/// in G1 with nothing designated there are read as ISO 8859-1, and unknown escape sequences are kept
/// as text and followed by the initial sets.
/// </summary>
internal static class Iso2022Decoder
{
    /// <param name="value">The encoded value.</param>
    /// <param name="initialG0">The G0 set of value 1 of Specific Character Set.</param>
    /// <param name="initialG1">The G1 set of value 1, or null.</param>
    /// <param name="delimiters">The reset delimiters of the VR.</param>
    /// <param name="interpretEscapes">False for single-valued character sets: ESC is then plain text.</param>
    public static string Decode(
        ReadOnlySpan<byte> value,
        CodeElement initialG0,
        CodeElement? initialG1,
        ResetDelimiters delimiters,
        bool interpretEscapes)
    {
        var output = new PooledBuilder<char>(value.Length);
        try
        {
            var g0 = initialG0;
            var g1 = initialG1;
            var i = 0;
            while (i < value.Length)
            {
                var b = value[i];
                if (b == CodeElements.Esc && interpretEscapes)
                {
                    var length = CodeElements.EscapeSequenceLength(value[i..]);
                    var designated = CodeElements.FindDesignation(value.Slice(i, length));
                    if (designated is null)
                    {
                        output.AppendLatin1(value.Slice(i, length));
                        (g0, g1) = (initialG0, initialG1);
                    }
                    else if (designated.Register == GraphicRegister.G0)
                    {
                        g0 = designated;
                    }
                    else
                    {
                        g1 = designated;
                    }

                    i += length;
                }
                else if (b >= 0x80)
                {
                    var end = IndexOfOrLength(value, i, value[i..].IndexOfAnyInRange((byte)0, (byte)0x7F));
                    if (g1 is null)
                    {
                        output.AppendLatin1(value[i..end]);
                    }
                    else
                    {
                        g1.Decode(value[i..end], ref output);
                    }

                    i = end;
                }
                else if (g0.IsMultiByte && b is > 0x20 and < 0x7F)
                {
                    // Pairs of GL bytes: '^', '=' and '\' are ordinary trail bytes here, never delimiters.
                    var end = IndexOfOrLength(value, i, value[i..].IndexOfAnyExceptInRange((byte)0x21, (byte)0x7E));
                    g0.Decode(value[i..end], ref output);
                    i = end;
                }
                else if (!g0.IsMultiByte && !delimiters.SingleByteRunStops.Contains(b))
                {
                    var end = IndexOfOrLength(value, i, value[i..].IndexOfAny(delimiters.SingleByteRunStops));
                    g0.Decode(value[i..end], ref output);
                    i = end;
                }
                else
                {
                    // A control character or space (valid in any G0 state), a delimiter, or a literal ESC.
                    output.Append((char)b);
                    i++;
                    if (interpretEscapes && delimiters.IsDelimiter(b))
                    {
                        (g0, g1) = (initialG0, initialG1);
                    }
                }
            }

            return output.ToText();
        }
        finally
        {
            output.Dispose();
        }
    }

    private static int IndexOfOrLength(ReadOnlySpan<byte> value, int start, int relativeIndex) =>
        relativeIndex < 0 ? value.Length : start + relativeIndex;
}
