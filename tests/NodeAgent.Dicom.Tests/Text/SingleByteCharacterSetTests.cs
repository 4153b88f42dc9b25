using NodeAgent.Dicom.Text;

namespace NodeAgent.Dicom.Tests.Text;

public class SingleByteCharacterSetTests
{
    // Patient names of pydicom's chr*.dcm files (David Clunie's character set examples) and the
    // single-byte names of pydicom's charset tests.
    private static readonly object[] Names =
    [
        new object[] { "ISO_IR 100", "Buc^J\u00E9r\u00F4me", "Buc^Jérôme" },
        new object[] { "ISO_IR 100", "\u00C4neas^R\u00FCdiger", "Äneas^Rüdiger" },
        new object[] { "ISO_IR 101", "Wa\u00B3\u00EAsa", "Wałęsa" },
        new object[] { "ISO_IR 109", "anta\u00FDnomo", "antaŭnomo" },
        new object[] { "ISO_IR 110", "v\u00E0rds", "vārds" },
        new object[] { "ISO_IR 127", "\u00E2\u00C8\u00C7\u00E6\u00EA^\u00E4\u00E6\u00D2\u00C7\u00D1", "قباني^لنزار" },
        new object[] { "ISO_IR 126", "\u00C4\u00E9\u00EF\u00ED\u00F5\u00F3\u00E9\u00EF\u00F2", "Διονυσιος" },
        new object[] { "ISO_IR 138", "\u00F9\u00F8\u00E5\u00EF^\u00E3\u00E1\u00E5\u00F8\u00E4", "שרון^דבורה" },
        new object[] { "ISO_IR 144", "\u00BB\u00EE\u00DAce\u00DC\u00D1yp\u00D3", "Люкceмбypг" },
        new object[] { "ISO_IR 148", "\u00C7avu\u00FEo\u00F0lu", "Çavuşoğlu" },
        new object[] { "ISO_IR 166", "\u00B9\u00D2\u00C1\u00CA\u00A1\u00D8\u00C5", "นามสกุล" },
        new object[] { "ISO_IR 203", "\u00BCdipe \u00A4", "Œdipe €" },
        new object[] { "ISO_IR 13", "\u00D4\u00CF\u00C0\u00DE^\u00C0\u00DB\u00B3", "ﾔﾏﾀﾞ^ﾀﾛｳ" },
    ];

    [TestCaseSource(nameof(Names))]
    public void Names_decode_with_the_declared_set(string specificCharacterSet, string encoded, string text)
    {
        var characterSet = DicomCharacterSet.FromSpecificCharacterSet(specificCharacterSet);

        Assert.That(characterSet.Decode(StandardExamples.Bytes(encoded), DicomVR.PN), Is.EqualTo(text));
        Assert.That(characterSet.UsesCodeExtensions, Is.False);
    }

    [TestCaseSource(nameof(Names))]
    public void Names_encode_to_the_same_bytes(string specificCharacterSet, string encoded, string text)
    {
        var characterSet = DicomCharacterSet.FromSpecificCharacterSet(specificCharacterSet);

        Assert.That(characterSet.Encode(text, DicomVR.PN), Is.EqualTo(StandardExamples.Bytes(encoded)));
    }

    [Test]
    public void German_name_encodes_as_Latin1_bytes()
    {
        var latin1 = DicomCharacterSet.FromSpecificCharacterSet("ISO_IR 100");

        var encoded = latin1.Encode("Müller^Jürgen", DicomVR.PN);

        Assert.That(encoded, Is.EqualTo(new byte[]
        {
            (byte)'M', 0xFC, (byte)'l', (byte)'l', (byte)'e', (byte)'r', (byte)'^',
            (byte)'J', 0xFC, (byte)'r', (byte)'g', (byte)'e', (byte)'n',
        }));
    }

    [Test]
    public void A_character_outside_the_single_byte_set_is_an_error_not_a_question_mark()
    {
        var greek = DicomCharacterSet.FromSpecificCharacterSet("ISO_IR 126");

        var ex = Assert.Throws<DicomCharacterSetException>(() => greek.Encode("Δα^Jérôme", DicomVR.PN));

        Assert.That(ex!.Position, Is.EqualTo(4));
        Assert.That(ex.CharacterSet, Does.Contain("ISO_IR 126"));
        Assert.That(greek.TryEncode("Δα^Jérôme", DicomVR.PN, out var encoded), Is.False);
        Assert.That(encoded, Is.Empty);
    }

    [Test]
    public void Latin9_differs_from_Latin1_where_the_euro_sign_is()
    {
        var latin9 = DicomCharacterSet.FromSpecificCharacterSet("ISO_IR 203");
        var latin1 = DicomCharacterSet.FromSpecificCharacterSet("ISO_IR 100");

        Assert.That(latin9.Decode([0xA4], DicomVR.LO), Is.EqualTo("€"));
        Assert.That(latin1.Decode([0xA4], DicomVR.LO), Is.EqualTo("¤"));
        Assert.That(latin1.CanEncode("€", DicomVR.LO), Is.False);
    }

    [Test]
    public void JIS_X_0201_outside_the_katakana_range_decodes_as_replacement_characters()
    {
        var katakana = DicomCharacterSet.FromSpecificCharacterSet("ISO_IR 13");

        Assert.That(katakana.Decode([0xB1, 0xE0, (byte)'A'], DicomVR.LO), Is.EqualTo("ｱ\uFFFDA"));
    }

    [Test]
    public void Full_width_katakana_is_not_in_JIS_X_0201()
    {
        var katakana = DicomCharacterSet.FromSpecificCharacterSet("ISO_IR 13");

        Assert.That(katakana.CanEncode("ｱ", DicomVR.LO), Is.True);
        Assert.That(katakana.CanEncode("ア", DicomVR.LO), Is.False);
    }

    [Test]
    public void Without_code_extensions_an_escape_byte_is_plain_text()
    {
        var latin1 = DicomCharacterSet.FromSpecificCharacterSet("ISO_IR 100");
        var bytes = StandardExamples.Bytes("\u001B$B\u00E9");

        var decoded = latin1.Decode(bytes, DicomVR.LO);

        Assert.That(decoded, Is.EqualTo("\u001B$Bé"));
        Assert.That(latin1.Encode(decoded, DicomVR.LO), Is.EqualTo(bytes));
    }
}
