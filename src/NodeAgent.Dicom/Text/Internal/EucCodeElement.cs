using System.Text;

namespace NodeAgent.Dicom.Text.Internal;

/// <summary>
/// A 94x94 set designated into G1, whose characters are pairs of bytes 0xA1-0xFE: KS X 1001
/// (ISO-IR 149, ESC $ ) C) and GB 2312 (ISO-IR 58, ESC $ ) A). In that form they are exactly the
/// double-byte half of EUC-KR and EUC-CN, so those code pages decode the G1 runs directly.
/// </summary>
internal sealed class EucCodeElement(string registration, byte[] escapeSequence, int codePage)
    : CodeElement(registration, GraphicRegister.G1, escapeSequence)
{
    private Encoding? _encoding;

    public override bool IsMultiByte => true;

    private Encoding Encoding => _encoding ??= CodePages.Get(codePage);

    public override void Decode(ReadOnlySpan<byte> run, ref PooledBuilder<char> output)
    {
        var written = Encoding.GetChars(run, output.GetSpan(Encoding.GetMaxCharCount(run.Length)));
        output.Advance(written);
    }

    public override bool TryEncode(ReadOnlySpan<char> scalar, Span<byte> destination, out int written)
    {
        Span<byte> euc = stackalloc byte[8];
        written = 0;

        // Only the 94x94 area belongs to the registered set; anything else the code page may
        // produce (single bytes, extension areas) is outside ISO-IR 149 / ISO-IR 58.
        if (!CodePages.TryEncodeScalar(Encoding, scalar, euc, out var count)
            || count != 2 || !IsGraphicByte(euc[0]) || !IsGraphicByte(euc[1]))
        {
            return false;
        }

        destination[0] = euc[0];
        destination[1] = euc[1];
        written = 2;
        return true;
    }

    private static bool IsGraphicByte(byte b) => b is >= 0xA1 and <= 0xFE;
}
