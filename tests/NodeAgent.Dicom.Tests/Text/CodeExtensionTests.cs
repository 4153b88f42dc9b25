using NodeAgent.Dicom.Text;

namespace NodeAgent.Dicom.Tests.Text;

public class CodeExtensionTests
{
    private static readonly DicomCharacterSet Japanese = DicomCharacterSet.FromSpecificCharacterSet("\\ISO 2022 IR 87");
    private static readonly DicomCharacterSet Korean = DicomCharacterSet.FromSpecificCharacterSet("\\ISO 2022 IR 149");
    private static readonly DicomCharacterSet LatinGreek = DicomCharacterSet.FromSpecificCharacterSet("ISO 2022 IR 100\\ISO 2022 IR 126");

    [Test]
    public void Caret_and_equals_reset_G1_in_person_names_only()
    {
        var bytes = StandardExamples.Bytes("\u001B-F\u00E1^\u00E1=\u00E1");

        Assert.That(LatinGreek.Decode(bytes, DicomVR.PN), Is.EqualTo("α^á=á"));
        Assert.That(LatinGreek.Decode(bytes, DicomVR.LO), Is.EqualTo("α^α=α"));
    }

    [Test]
    public void Backslash_resets_for_multi_valued_VRs_but_not_for_single_valued_text()
    {
        var bytes = StandardExamples.Bytes("\u001B-F\u00E1\\\u00E1");

        Assert.That(LatinGreek.Decode(bytes, DicomVR.LO), Is.EqualTo("α\\á"));
        Assert.That(LatinGreek.Decode(bytes, DicomVR.LT), Is.EqualTo("α\\α"));
    }

    [TestCase("\r")]
    [TestCase("\n")]
    [TestCase("\t")]
    [TestCase("\f")]
    public void Control_delimiters_reset_for_every_text_VR(string delimiter)
    {
        var bytes = StandardExamples.Bytes("\u001B-F\u00E1" + delimiter + "\u00E1");

        Assert.That(LatinGreek.Decode(bytes, DicomVR.LT), Is.EqualTo("α" + delimiter + "á"));
        Assert.That(LatinGreek.Decode(bytes, DicomVR.SH), Is.EqualTo("α" + delimiter + "á"));
    }

    [Test]
    public void Delimiter_bytes_inside_JIS_X_0208_pairs_are_trail_bytes_not_delimiters()
    {
        // ま is 0x24 0x5E ('$' '^') and ぼ is 0x24 0x5C ('$' '\') in JIS X 0208.
        Assert.That(Japanese.Decode(StandardExamples.Bytes("\u001B$B$^$I\u001B(B"), DicomVR.PN), Is.EqualTo("まど"));
        Assert.That(Japanese.Decode(StandardExamples.Bytes("\u001B$B$\\\u001B(B"), DicomVR.LO), Is.EqualTo("ぼ"));
    }

    [Test]
    public void Multi_valued_LO_designates_G1_again_after_each_backslash()
    {
        const string text = "홍\\길동";
        var expected = StandardExamples.Bytes("\u001B$)C\u00C8\u00AB\\\u001B$)C\u00B1\u00E6\u00B5\u00BF");

        Assert.That(Korean.Encode(text, DicomVR.LO), Is.EqualTo(expected));
        Assert.That(Korean.Decode(expected, DicomVR.LO), Is.EqualTo(text));
    }

    [Test]
    public void Multi_valued_LO_returns_G0_to_ASCII_before_each_backslash()
    {
        const string text = "山田\\ABC\\太郎";
        var expected = StandardExamples.Bytes("\u001B$B;3ED\u001B(B\\ABC\\\u001B$BB@O:\u001B(B");

        Assert.That(Japanese.Encode(text, DicomVR.LO), Is.EqualTo(expected));
        Assert.That(Japanese.Decode(expected, DicomVR.LO), Is.EqualTo(text));
    }

    [Test]
    public void Unknown_escape_sequence_is_kept_and_what_follows_decodes_with_the_initial_sets()
    {
        // ESC ( Z is no designation we know; "ab" after it must be ASCII, not a JIS X 0208 pair.
        var bytes = StandardExamples.Bytes("\u001B$B;3\u001B(Zab\u00E9");

        string decoded = "";
        Assert.DoesNotThrow(() => decoded = Japanese.Decode(bytes, DicomVR.LO));
        Assert.That(decoded, Is.EqualTo("山\u001B(Zabé"));
    }

    [Test]
    public void Truncated_escape_and_odd_kanji_bytes_decode_without_throwing()
    {
        Assert.That(Japanese.Decode(StandardExamples.Bytes("ab\u001B"), DicomVR.LO), Is.EqualTo("ab\u001B"));
        Assert.That(Japanese.Decode(StandardExamples.Bytes("\u001B$B;3E"), DicomVR.LO), Is.EqualTo("山\uFFFD"));
    }

    [Test]
    public void Escape_sequences_of_known_but_undeclared_sets_are_honoured()
    {
        Assert.That(Japanese.Decode(StandardExamples.Bytes("\u001B$)C\u00C8\u00AB"), DicomVR.PN), Is.EqualTo("홍"));
    }

    [Test]
    public void High_bytes_with_no_G1_designated_decode_as_Latin1()
    {
        Assert.That(Japanese.Decode(StandardExamples.Bytes("Jos\u00E9"), DicomVR.PN), Is.EqualTo("José"));
    }

    [Test]
    public void Korean_without_escapes_under_a_lone_IR_149_still_decodes_but_is_written_with_one()
    {
        var loneKorean = DicomCharacterSet.FromSpecificCharacterSet("ISO 2022 IR 149");

        Assert.That(loneKorean.Decode(StandardExamples.Bytes("\u00C8\u00AB"), DicomVR.PN), Is.EqualTo("홍"));
        Assert.That(loneKorean.Encode("홍", DicomVR.PN), Is.EqualTo(StandardExamples.Bytes("\u001B$)C\u00C8\u00AB")));
    }

    [Test]
    public void JIS_X_0212_is_used_for_kanji_missing_from_JIS_X_0208()
    {
        // pydicom's test_japanese_multi_byte_personname: 鷗 exists only in JIS X 0212.
        var characterSet = DicomCharacterSet.FromSpecificCharacterSet("ISO 2022 IR 6\\ISO 2022 IR 87\\ISO 2022 IR 159");
        const string text = "Mori^Ogai=森^鷗外=もり^おうがい";
        var expected = StandardExamples.Bytes(
            "Mori^Ogai=\u001B$B?9\u001B(B^\u001B$(Dl?\u001B$B30\u001B(B=\u001B$B$b$j\u001B(B^\u001B$B$*$&$,$$\u001B(B");

        Assert.That(characterSet.Encode(text, DicomVR.PN), Is.EqualTo(expected));
        Assert.That(characterSet.Decode(expected, DicomVR.PN), Is.EqualTo(text));
    }

    [Test]
    public void Japanese_sets_mix_with_katakana_kept_in_G1_and_Romaji_restored()
    {
        var characterSet = DicomCharacterSet.FromSpecificCharacterSet("ISO 2022 IR 13\\ISO 2022 IR 87\\ISO 2022 IR 159");
        const string text = "あaｱア齩";
        var expected = StandardExamples.Bytes("\u001B$B$\"\u001B(Ja\u00B1\u001B$B%\"\u001B$(DmN\u001B(J");

        Assert.That(characterSet.Encode(text, DicomVR.LO), Is.EqualTo(expected));
        Assert.That(characterSet.Decode(expected, DicomVR.LO), Is.EqualTo(text));
    }

    [Test]
    public void Each_character_goes_to_the_first_declared_set_and_G1_is_restored_before_delimiters()
    {
        Assert.That(LatinGreek.Encode("é", DicomVR.PN), Is.EqualTo(new byte[] { 0xE9 }));

        var encoded = LatinGreek.Encode("α^é", DicomVR.PN);

        Assert.That(encoded, Is.EqualTo(StandardExamples.Bytes("\u001B-F\u00E1\u001B-A^\u00E9")));
        Assert.That(LatinGreek.Decode(encoded, DicomVR.PN), Is.EqualTo("α^é"));
    }

    [Test]
    public void A_space_between_kanji_is_written_in_ASCII_and_read_in_either_form()
    {
        var encoded = Japanese.Encode("山 田", DicomVR.LO);

        Assert.That(encoded, Is.EqualTo(StandardExamples.Bytes("\u001B$B;3\u001B(B \u001B$BED\u001B(B")));
        Assert.That(Japanese.Decode(StandardExamples.Bytes("\u001B$B;3 ED\u001B(B"), DicomVR.LO), Is.EqualTo("山 田"));
    }

    [Test]
    public void Text_with_a_literal_escape_cannot_be_written_with_code_extensions()
    {
        Assert.That(Japanese.CanEncode("a\u001B$Bb", DicomVR.LO), Is.False);
    }

    [Test]
    public void Characters_of_no_declared_set_cannot_be_encoded()
    {
        Assert.That(Japanese.CanEncode("홍", DicomVR.PN), Is.False);
        Assert.That(Korean.CanEncode("ｱ", DicomVR.PN), Is.False);
        Assert.That(Japanese.TryEncode("Yamada^홍", DicomVR.PN, out var encoded), Is.False);
        Assert.That(encoded, Is.Empty);
    }
}
