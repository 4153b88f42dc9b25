using System.Collections.Concurrent;
using System.Text;

namespace NodeAgent.Dicom.Text.Internal;

/// <summary>
/// Creates and caches the <see cref="Encoding"/> instances behind the character sets.
/// </summary>
/// <remarks>
/// The legacy code pages come straight from <see cref="CodePagesEncodingProvider.Instance"/> instead of
/// registering the provider globally: a library should not change what <c>Encoding.GetEncoding</c>
/// returns for the host process, and asking the provider directly needs no one-time registration.
/// Every instance encodes unrepresentable characters as <see cref="Sentinel"/> (never a best-fit
/// look-alike, never an exception, so probing character by character stays cheap) and decodes invalid
/// bytes as U+FFFD, so decoding never throws.
/// </remarks>
internal static class CodePages
{
    /// <summary>ASCII SUB, written in place of characters the code page cannot represent.</summary>
    public const byte Sentinel = 0x1A;

    public const int Latin1 = 28591;
    public const int Utf8 = 65001;
    public const int EucJp = 20932;
    public const int EucKr = 51949;
    public const int Gb2312 = 20936;
    public const int Gbk = 936;
    public const int Gb18030 = 54936;
    public const int Thai = 874;

    private static readonly EncoderFallback SentinelFallback = new EncoderReplacementFallback("\u001A");

    // Not DecoderFallback.ReplacementFallback, whose replacement is '?': a real question mark would
    // be indistinguishable from a byte that did not decode.
    private static readonly DecoderFallback ReplacementCharacter = new DecoderReplacementFallback("\uFFFD");
    private static readonly ConcurrentDictionary<int, Encoding> Cache = new();

    public static Encoding Get(int codePage) => Cache.GetOrAdd(codePage, Create);

    private static Encoding Create(int codePage) =>
        CodePagesEncodingProvider.Instance.GetEncoding(codePage, SentinelFallback, ReplacementCharacter)
        ?? Encoding.GetEncoding(codePage, SentinelFallback, ReplacementCharacter);

    /// <summary>
    /// Encodes one Unicode scalar (one char or a surrogate pair); false when the code page lacks it.
    /// </summary>
    public static bool TryEncodeScalar(Encoding encoding, ReadOnlySpan<char> scalar, Span<byte> destination, out int written)
    {
        written = encoding.GetBytes(scalar, destination);

        // The sentinel is the whole output only for an unrepresentable character: SUB itself is a
        // control character that never reaches a code page (controls are handled before).
        return !(written == 1 && destination[0] == Sentinel && scalar[0] != '\u001A');
    }
}
