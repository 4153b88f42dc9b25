using System.Text;

namespace NodeAgent.Dicom.Text.Internal;

/// <summary>
/// A multi-byte encoding that replaces ISO 2022 altogether (ISO_IR 192 UTF-8, GB18030, GBK; PS3.3
/// Table C.12-5): the whole value goes through one code page.
/// </summary>
internal sealed class StandaloneCodec(int codePage) : TextCodec
{
    private Encoding? _encoding;

    private Encoding Encoding => _encoding ??= CodePages.Get(codePage);

    public override string Decode(ReadOnlySpan<byte> value, DicomVR vr) => Encoding.GetString(value);

    public override bool TryEncode(string value, DicomVR vr, ref PooledBuilder<byte> output, out int failedIndex)
    {
        var span = output.GetSpan(Encoding.GetMaxByteCount(value.Length));
        var written = Encoding.GetBytes(value, span);

        // Unrepresentable characters come out as the sentinel byte (SUB), which none of these
        // encodings uses inside a multi-byte character: more SUB bytes than SUB characters means
        // something was replaced.
        if (span[..written].Count(CodePages.Sentinel) != value.AsSpan().Count('\u001A'))
        {
            failedIndex = FindUnencodable(value);
            return false;
        }

        output.Advance(written);
        failedIndex = -1;
        return true;
    }

    private int FindUnencodable(string value)
    {
        Span<byte> scratch = stackalloc byte[8];
        for (var i = 0; i < value.Length; i++)
        {
            var length = char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]) ? 2 : 1;
            if (!CodePages.TryEncodeScalar(Encoding, value.AsSpan(i, length), scratch, out _))
            {
                return i;
            }

            i += length - 1;
        }

        return 0;
    }
}
