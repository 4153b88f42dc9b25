using System.Text;
using NodeAgent.Dicom.Text;

namespace NodeAgent.Dicom.Tests.Text;

/// <summary>
/// Encoded values from the examples of PS3.5 Annexes H to K, as found in the character set test
/// files that pydicom ships (chrH31.dcm, chrH32.dcm, chrI2.dcm, chrX1.dcm, chrX2.dcm, ...) and in the
/// text of the standard. Byte strings are written one char per byte, so escape sequences stay readable.
/// </summary>
public static class StandardExamples
{
    /// <summary>PS3.5 Example H.3-1 (chrH31.dcm): JIS X 0208 in G0, ASCII restored before every delimiter.</summary>
    public static readonly Example JapaneseIr87 = new(
        "\\ISO 2022 IR 87",
        "Yamada^Tarou=\u001B$B;3ED\u001B(B^\u001B$BB@O:\u001B(B=\u001B$B$d$^$@\u001B(B^\u001B$B$?$m$&\u001B(B",
        "Yamada^Tarou=山田^太郎=やまだ^たろう");

    /// <summary>PS3.5 Example H.3-2 (chrH32.dcm): JIS X 0201 katakana in G1, Romaji restored with ESC ( J.</summary>
    public static readonly Example JapaneseIr13Ir87 = new(
        "ISO 2022 IR 13\\ISO 2022 IR 87",
        "\u00D4\u00CF\u00C0\u00DE^\u00C0\u00DB\u00B3=\u001B$B;3ED\u001B(J^\u001B$BB@O:\u001B(J=\u001B$B$d$^$@\u001B(J^\u001B$B$?$m$&\u001B(J",
        "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう");

    /// <summary>PS3.5 Example I.2-1 (chrI2.dcm): KS X 1001 in G1, designated again in every component.</summary>
    public static readonly Example KoreanIr149 = new(
        "\\ISO 2022 IR 149",
        "Hong^Gildong=\u001B$)C\u00FB\u00F3^\u001B$)C\u00D1\u00CE\u00D4\u00D7=\u001B$)C\u00C8\u00AB^\u001B$)C\u00B1\u00E6\u00B5\u00BF",
        "Hong^Gildong=洪^吉洞=홍^길동");

    /// <summary>PS3.5 Example J.2 (chrX1.dcm): UTF-8.</summary>
    public static readonly Example ChineseUtf8 = new(
        "ISO_IR 192",
        "Wang^XiaoDong=\u00E7\u008E\u008B^\u00E5\u00B0\u008F\u00E6\u009D\u00B1=",
        "Wang^XiaoDong=王^小東=");

    /// <summary>PS3.5 Example J.3 (chrX2.dcm): GB18030.</summary>
    public static readonly Example ChineseGb18030 = new(
        "GB18030",
        "Wang^XiaoDong=\u00CD\u00F5^\u00D0\u00A1\u00B6\u00AB=",
        "Wang^XiaoDong=王^小东=");

    /// <summary>PS3.5 Example K.2-1: GB 2312 in G1, with the value's trailing padding space.</summary>
    public static readonly Example ChineseIr58 = new(
        "\\ISO 2022 IR 58",
        "Zhang^XiaoDong=\u001B$)A\u00D5\u00C5^\u001B$)A\u00D0\u00A1\u00B6\u00AB= ",
        "Zhang^XiaoDong=张^小东= ");

    /// <summary>PS3.5 Example K.3-1 (current edition): an LT whose lines each designate GB 2312 again.</summary>
    public static readonly Example ChineseIr58LongText = new(
        "\\ISO 2022 IR 58",
        "1.\u001B$)A\u00B5\u00DA\u00D2\u00BB\u00D0\u00D0\u00CE\u00C4\u00D7\u00D6\u00A1\u00A3\r\n"
        + "2.\u001B$)A\u00B5\u00DA\u00B6\u00FE\u00D0\u00D0\u00CE\u00C4\u00D7\u00D6\u00A1\u00A3\r\n"
        + "3.\u001B$)A\u00B5\u00DA\u00C8\u00FD\u00D0\u00D0\u00CE\u00C4\u00D7\u00D6\u00A1\u00A3\r\n",
        "1.第一行文字。\r\n2.第二行文字。\r\n3.第三行文字。\r\n");

    /// <summary>Encodes a string whose chars are bytes (U+0000-U+00FF) as those bytes.</summary>
    public static byte[] Bytes(string oneCharPerByte) => Encoding.Latin1.GetBytes(oneCharPerByte);

    public sealed record Example(string SpecificCharacterSet, string EncodedChars, string Text)
    {
        public byte[] Encoded => Bytes(EncodedChars);

        // Parsed in the test body, so that a parsing bug fails tests rather than test discovery.
        public DicomCharacterSet CharacterSet => DicomCharacterSet.FromSpecificCharacterSet(SpecificCharacterSet);

        public override string ToString() => SpecificCharacterSet;
    }
}
