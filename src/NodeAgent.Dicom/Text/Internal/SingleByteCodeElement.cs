using System.Collections.Frozen;
using System.Text;

namespace NodeAgent.Dicom.Text.Internal;

/// <summary>
/// The upper (G1) half of a single-byte code page: an ISO 8859 part, or TIS 620 for Thai. The lower
/// half of all of them is ASCII, so the same code page also decodes whole values without escapes.
/// </summary>
internal sealed class SingleByteCodeElement(string registration, byte[] escapeSequence, int codePage)
    : CodeElement(registration, GraphicRegister.G1, escapeSequence)
{
    private Encoding? _encoding;
    private FrozenDictionary<char, byte>? _bytesByChar;

    public override bool IsMultiByte => false;

    private Encoding Encoding => _encoding ??= CodePages.Get(codePage);

    // Built on first encode from the code page itself, so encoding is the exact inverse of decoding
    // (no best-fit look-alikes) and costs one dictionary lookup per character.
    private FrozenDictionary<char, byte> BytesByChar => _bytesByChar ??= BuildReverseMap(Encoding);

    /// <summary>Decodes a value that uses no escape sequences (single-valued Specific Character Set).</summary>
    public string DecodeWholeValue(ReadOnlySpan<byte> value) => Encoding.GetString(value);

    public override void Decode(ReadOnlySpan<byte> run, ref PooledBuilder<char> output)
    {
        var written = Encoding.GetChars(run, output.GetSpan(Encoding.GetMaxCharCount(run.Length)));
        output.Advance(written);
    }

    public override bool TryEncode(ReadOnlySpan<char> scalar, Span<byte> destination, out int written)
    {
        if (scalar.Length == 1 && BytesByChar.TryGetValue(scalar[0], out var b))
        {
            destination[0] = b;
            written = 1;
            return true;
        }

        written = 0;
        return false;
    }

    private static FrozenDictionary<char, byte> BuildReverseMap(Encoding encoding)
    {
        var map = new Dictionary<char, byte>(128);
        Span<char> decoded = stackalloc char[4];
        for (var b = 0x80; b <= 0xFF; b++)
        {
            var count = encoding.GetChars([(byte)b], decoded);
            if (count == 1 && decoded[0] != '\uFFFD')
            {
                map.TryAdd(decoded[0], (byte)b);
            }
        }

        return map.ToFrozenDictionary();
    }
}
