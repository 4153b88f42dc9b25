using System.Buffers;
using System.Text;

namespace NodeAgent.Dicom.Text.Internal;

/// <summary>
/// A 94x94 Japanese kanji set designated into G0: JIS X 0208 (ISO-IR 87, ESC $ B) or
/// JIS X 0212 (ISO-IR 159, ESC $ ( D). Each character is a pair of 7-bit bytes 0x21-0x7E.
/// </summary>
/// <remarks>
/// Both sets are mapped through .NET's code page 20932 ("EUC-JP, JIS 0208-1990 and 0212-1990"), the
/// only one that holds JIS X 0212. Its byte forms are: JIS X 0208 = both bytes with the high bit set;
/// JIS X 0212 = high bit on the first byte only (not the 0x8F single-shift of standard EUC-JP, which
/// 20932 does not understand). Every JIS X 0208 and JIS X 0212 code round-trips through it.
/// </remarks>
internal sealed class JisKanjiCodeElement(string registration, byte[] escapeSequence, bool supplementary)
    : CodeElement(registration, GraphicRegister.G0, escapeSequence)
{
    private const int StackLimit = 256;

    private Encoding? _encoding;

    public override bool IsMultiByte => true;

    // Trail byte form in code page 20932: 0x80 set for JIS X 0208, clear for JIS X 0212.
    private byte TrailHighBit => supplementary ? (byte)0 : (byte)0x80;

    private Encoding Encoding => _encoding ??= CodePages.Get(CodePages.EucJp);

    public override void Decode(ReadOnlySpan<byte> run, ref PooledBuilder<char> output)
    {
        var pairs = run.Length & ~1;
        byte[]? rented = null;
        var euc = pairs <= StackLimit ? stackalloc byte[pairs] : (rented = ArrayPool<byte>.Shared.Rent(pairs)).AsSpan(0, pairs);
        for (var i = 0; i < pairs; i += 2)
        {
            euc[i] = (byte)(run[i] | 0x80);
            euc[i + 1] = (byte)(run[i + 1] | TrailHighBit);
        }

        var written = Encoding.GetChars(euc, output.GetSpan(Encoding.GetMaxCharCount(pairs)));
        output.Advance(written);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        if (pairs != run.Length)
        {
            // A lone byte cannot be a 2-byte character: the value was truncated or mis-encoded.
            output.Append('\uFFFD');
        }
    }

    public override bool TryEncode(ReadOnlySpan<char> scalar, Span<byte> destination, out int written)
    {
        Span<byte> euc = stackalloc byte[8];
        written = 0;
        if (!CodePages.TryEncodeScalar(Encoding, scalar, euc, out var count) || count != 2 || !IsLeadByte(euc[0]))
        {
            return false;
        }

        // 20932 also produces single bytes (ASCII), 0x8E-prefixed half-width katakana, and the other
        // kanji set: only the trail byte form tells JIS X 0208 from JIS X 0212.
        var trailIsHigh = euc[1] >= 0xA1 && euc[1] <= 0xFE;
        var trailIsLow = euc[1] >= 0x21 && euc[1] <= 0x7E;
        if (supplementary ? !trailIsLow : !trailIsHigh)
        {
            return false;
        }

        destination[0] = (byte)(euc[0] & 0x7F);
        destination[1] = (byte)(euc[1] & 0x7F);
        written = 2;
        return true;
    }

    private static bool IsLeadByte(byte b) => b is >= 0xA1 and <= 0xFE;
}
