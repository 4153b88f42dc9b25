using NodeAgent.Dicom.Text;

namespace NodeAgent.Dicom.Tests.Text;

public class StandardExampleTests
{
    private static readonly StandardExamples.Example[] PersonNames =
    [
        StandardExamples.JapaneseIr87,
        StandardExamples.JapaneseIr13Ir87,
        StandardExamples.KoreanIr149,
        StandardExamples.ChineseUtf8,
        StandardExamples.ChineseGb18030,
        StandardExamples.ChineseIr58,
    ];

    [TestCaseSource(nameof(PersonNames))]
    public void Person_name_examples_decode_to_the_standard_text(StandardExamples.Example example)
    {
        Assert.That(example.CharacterSet.Decode(example.Encoded, DicomVR.PN), Is.EqualTo(example.Text));
    }

    [TestCaseSource(nameof(PersonNames))]
    public void Person_name_examples_encode_to_the_standard_bytes(StandardExamples.Example example)
    {
        Assert.That(example.CharacterSet.Encode(example.Text, DicomVR.PN), Is.EqualTo(example.Encoded));
    }

    [TestCaseSource(nameof(PersonNames))]
    public void Decoding_then_encoding_gives_back_the_identical_bytes(StandardExamples.Example example)
    {
        var characterSet = example.CharacterSet;
        var decoded = characterSet.Decode(example.Encoded, DicomVR.PN);
        Assert.That(characterSet.Encode(decoded, DicomVR.PN), Is.EqualTo(example.Encoded));
    }

    [Test]
    public void Chinese_long_text_redesignates_GB2312_on_every_line()
    {
        var example = StandardExamples.ChineseIr58LongText;
        var characterSet = example.CharacterSet;

        Assert.That(characterSet.Decode(example.Encoded, DicomVR.LT), Is.EqualTo(example.Text));
        Assert.That(characterSet.Encode(example.Text, DicomVR.LT), Is.EqualTo(example.Encoded));
    }

    [Test]
    public void Chinese_long_text_of_older_editions_with_explicit_return_to_ASCII_decodes_the_same()
    {
        // PS3.5 2015c Example K.3-1 still wrote ESC ( B before each CR LF.
        var older = StandardExamples.Bytes(
            "1.\u001B$)A\u00B5\u00DA\u00D2\u00BB\u00D0\u00D0\u00CE\u00C4\u00D7\u00D6\u00A1\u00A3\u001B(B\r\n"
            + "2.\u001B$)A\u00B5\u00DA\u00B6\u00FE\u00D0\u00D0\u00CE\u00C4\u00D7\u00D6\u00A1\u00A3\u001B(B\r\n"
            + "3.\u001B$)A\u00B5\u00DA\u00C8\u00FD\u00D0\u00D0\u00CE\u00C4\u00D7\u00D6\u00A1\u00A3\u001B(B\r\n");

        var decoded = StandardExamples.ChineseIr58LongText.CharacterSet.Decode(older, DicomVR.LT);

        Assert.That(decoded, Is.EqualTo(StandardExamples.ChineseIr58LongText.Text));
    }

    [Test]
    public void Korean_long_text_mixes_ASCII_and_hangul_after_one_designation()
    {
        // As PS3.5 Example I.3-1: KS X 1001 designated once per line, then ASCII and hangul intermixed.
        var characterSet = DicomCharacterSet.FromSpecificCharacterSet("\\ISO 2022 IR 149");
        const string text = "The first line includes 한글.\r\nThe third line";

        var encoded = characterSet.Encode(text, DicomVR.LT);

        Assert.That(encoded, Is.EqualTo(StandardExamples.Bytes(
            "The first line includes \u001B$)C\u00C7\u00D1\u00B1\u00DB.\r\nThe third line")));
        Assert.That(characterSet.Decode(encoded, DicomVR.LT), Is.EqualTo(text));
    }

    [Test]
    public void Katakana_value_one_with_an_explicit_ASCII_return_decodes_like_the_standard_example()
    {
        // chrSQEncoding.dcm: the H.3-2 name, but returning to G0 with ESC ( B instead of ESC ( J.
        var bytes = StandardExamples.Bytes(
            "\u00D4\u00CF\u00C0\u00DE^\u00C0\u00DB\u00B3=\u001B$B;3ED\u001B(B^\u001B$BB@O:\u001B(B=\u001B$B$d$^$@\u001B(B^\u001B$B$?$m$&\u001B(B");

        var decoded = StandardExamples.JapaneseIr13Ir87.CharacterSet.Decode(bytes, DicomVR.PN);

        Assert.That(decoded, Is.EqualTo(StandardExamples.JapaneseIr13Ir87.Text));
    }

    [Test]
    public void Korean_name_with_a_trailing_return_to_ASCII_decodes()
    {
        // chrKoreanMulti.dcm ends its hangul with an ESC ( B that changes nothing.
        var bytes = StandardExamples.Bytes("\u001B$)C\u00B1\u00E8\u00C8\u00F1\u00C1\u00DF\u001B(B");

        var decoded = StandardExamples.KoreanIr149.CharacterSet.Decode(bytes, DicomVR.PN);

        Assert.That(decoded, Is.EqualTo("김희중"));
    }
}
