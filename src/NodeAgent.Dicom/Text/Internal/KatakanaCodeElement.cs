namespace NodeAgent.Dicom.Text.Internal;

/// <summary>
/// JIS X 0201 Katakana (ISO-IR 13) in G1: bytes 0xA1-0xDF are the half-width katakana U+FF61-U+FF9F,
/// one to one, so no code page is needed.
/// </summary>
internal sealed class KatakanaCodeElement(byte[] escapeSequence)
    : CodeElement("ISO-IR 13", GraphicRegister.G1, escapeSequence)
{
    private const int FirstByte = 0xA1;
    private const int LastByte = 0xDF;
    private const char FirstChar = '\uFF61';

    public override bool IsMultiByte => false;

    public override void Decode(ReadOnlySpan<byte> run, ref PooledBuilder<char> output)
    {
        var span = output.GetSpan(run.Length);
        for (var i = 0; i < run.Length; i++)
        {
            var b = run[i];
            span[i] = b is >= FirstByte and <= LastByte ? (char)(FirstChar + (b - FirstByte)) : '\uFFFD';
        }

        output.Advance(run.Length);
    }

    public override bool TryEncode(ReadOnlySpan<char> scalar, Span<byte> destination, out int written)
    {
        if (scalar.Length == 1 && scalar[0] >= FirstChar && scalar[0] <= FirstChar + (LastByte - FirstByte))
        {
            destination[0] = (byte)(FirstByte + (scalar[0] - FirstChar));
            written = 1;
            return true;
        }

        written = 0;
        return false;
    }
}
