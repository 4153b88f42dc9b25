using NodeAgent.Dicom.Text;

namespace NodeAgent.Dicom.Tests.Text;

public class MultiByteCharacterSetTests
{
    [Test]
    public void UTF8_round_trips_text_beyond_the_basic_multilingual_plane()
    {
        const string text = "Nguyễn^Văn=😀";

        var encoded = DicomCharacterSet.Utf8.Encode(text, DicomVR.PN);

        Assert.That(encoded, Is.EqualTo(System.Text.Encoding.UTF8.GetBytes(text)));
        Assert.That(DicomCharacterSet.Utf8.Decode(encoded, DicomVR.PN), Is.EqualTo(text));
    }

    [Test]
    public void Invalid_UTF8_decodes_to_replacement_characters()
    {
        Assert.That(DicomCharacterSet.Utf8.Decode([(byte)'A', 0xFF, (byte)'B'], DicomVR.LO), Is.EqualTo("A\uFFFDB"));
    }

    [Test]
    public void A_lone_surrogate_cannot_be_encoded_in_UTF8()
    {
        var ex = Assert.Throws<DicomCharacterSetException>(() => DicomCharacterSet.Utf8.Encode("ab\uD800c", DicomVR.LO));

        Assert.That(ex!.Position, Is.EqualTo(2));
        Assert.That(ex.Category, Is.EqualTo(System.Globalization.UnicodeCategory.Surrogate));
    }

    [Test]
    public void GB18030_round_trips_four_byte_sequences()
    {
        var gb18030 = DicomCharacterSet.FromSpecificCharacterSet("GB18030");
        const string text = "𠀀王";
        var expected = new byte[] { 0x95, 0x32, 0x82, 0x36, 0xCD, 0xF5 };

        Assert.That(gb18030.Encode(text, DicomVR.LO), Is.EqualTo(expected));
        Assert.That(gb18030.Decode(expected, DicomVR.LO), Is.EqualTo(text));
    }

    [Test]
    public void GBK_round_trips_and_rejects_what_it_lacks()
    {
        var gbk = DicomCharacterSet.FromSpecificCharacterSet("GBK");
        var expected = new byte[] { 0xCD, 0xF5, 0x5E, 0xD0, 0xA1, 0xB6, 0xAB };

        Assert.That(gbk.Encode("王^小东", DicomVR.PN), Is.EqualTo(expected));
        Assert.That(gbk.Decode(expected, DicomVR.PN), Is.EqualTo("王^小东"));

        var ex = Assert.Throws<DicomCharacterSetException>(() => gbk.Encode("王^홍", DicomVR.PN));
        Assert.That(ex!.Position, Is.EqualTo(2));
    }

    [Test]
    public void GB2312_under_code_extensions_rejects_characters_only_GBK_has()
    {
        var characterSet = DicomCharacterSet.FromSpecificCharacterSet("\\ISO 2022 IR 58");

        // 镕 (U+9555) is in GBK but not in GB 2312.
        Assert.That(characterSet.CanEncode("张", DicomVR.PN), Is.True);
        Assert.That(characterSet.CanEncode("镕", DicomVR.PN), Is.False);
    }
}
