namespace NodeAgent.Dicom.Text.Internal;

/// <summary>
/// A 94-character G0 set that DICOM treats as ASCII: ISO-IR 6 itself (ESC ( B) and the JIS X 0201
/// Romaji set ISO-IR 14 (ESC ( J). Romaji differs from ASCII only at 0x5C (yen) and 0x7E (overline);
/// like other toolkits it is read and written as ASCII so that '\' and '^' delimiters keep working.
/// </summary>
internal sealed class AsciiCodeElement(string registration, byte[] escapeSequence)
    : CodeElement(registration, GraphicRegister.G0, escapeSequence)
{
    public override bool IsMultiByte => false;

    public override void Decode(ReadOnlySpan<byte> run, ref PooledBuilder<char> output) => output.AppendLatin1(run);

    public override bool TryEncode(ReadOnlySpan<char> scalar, Span<byte> destination, out int written)
    {
        if (scalar.Length == 1 && scalar[0] < 0x80)
        {
            destination[0] = (byte)scalar[0];
            written = 1;
            return true;
        }

        written = 0;
        return false;
    }
}
