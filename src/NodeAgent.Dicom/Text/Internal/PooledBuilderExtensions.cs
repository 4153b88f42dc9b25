using System.Text;

namespace NodeAgent.Dicom.Text.Internal;

internal static class PooledBuilderExtensions
{
    /// <summary>Appends bytes as ISO 8859-1 characters: the lossless fallback for bytes no set claims.</summary>
    public static void AppendLatin1(ref this PooledBuilder<char> builder, scoped ReadOnlySpan<byte> bytes)
    {
        var written = Encoding.Latin1.GetChars(bytes, builder.GetSpan(bytes.Length));
        builder.Advance(written);
    }

    public static string ToText(this in PooledBuilder<char> builder) => new(builder.WrittenSpan);
}
