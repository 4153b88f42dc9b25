using NodeAgent.Dicom.Text;

namespace NodeAgent.Dicom.Tests.Text;

public class CharacterSetParsingTests
{
    [TestCase("")]
    [TestCase("  ")]
    public void Absent_or_blank_value_is_the_default_repertoire(string value)
    {
        var characterSet = DicomCharacterSet.FromSpecificCharacterSet(value);

        Assert.That(characterSet, Is.SameAs(DicomCharacterSet.Default));
        Assert.That(characterSet.IsDefault, Is.True);
        Assert.That(characterSet.Terms, Is.Empty);
        Assert.That(characterSet.UsesCodeExtensions, Is.False);
    }

    [Test]
    public void Padding_is_removed_and_an_empty_first_value_is_kept()
    {
        var characterSet = DicomCharacterSet.FromSpecificCharacterSet("\\ISO 2022 IR 87 ");

        Assert.That(characterSet.Terms, Is.EqualTo(new[] { "", "ISO 2022 IR 87" }));
        Assert.That(characterSet.UsesCodeExtensions, Is.True);
        Assert.That(characterSet.IsDefault, Is.False);
        Assert.That(characterSet.UnknownTerms, Is.Empty);
        Assert.That(characterSet.ToString(), Is.EqualTo("\\ISO 2022 IR 87"));
    }

    [TestCase("ISO IR 100")]
    [TestCase("iso_ir 100")]
    [TestCase("ISO-IR 100")]
    [TestCase("ISO_IR100")]
    [TestCase("ISO_IR 100\0")]
    public void Common_misspellings_are_recognised(string value)
    {
        var characterSet = DicomCharacterSet.FromSpecificCharacterSet(value);

        Assert.That(characterSet.Terms, Is.EqualTo(new[] { "ISO_IR 100" }));
        Assert.That(characterSet, Is.EqualTo(DicomCharacterSet.FromSpecificCharacterSet("ISO_IR 100")));
        Assert.That(characterSet.Decode([0xE9], DicomVR.PN), Is.EqualTo("é"));
    }

    [Test]
    public void The_same_value_gives_the_same_cached_instance()
    {
        var first = DicomCharacterSet.FromSpecificCharacterSet("ISO 2022 IR 6\\ISO 2022 IR 149");
        var second = DicomCharacterSet.FromSpecificCharacterSet("ISO 2022 IR 6\\ISO 2022 IR 149");
        var fromTerms = DicomCharacterSet.FromTerms(["ISO 2022 IR 6", "ISO 2022 IR 149"]);

        Assert.That(second, Is.SameAs(first));
        Assert.That(fromTerms, Is.SameAs(first));
    }

    [Test]
    public void Equality_follows_the_normalised_terms()
    {
        var a = DicomCharacterSet.FromTerms(["", "ISO 2022 IR 87"]);
        var b = DicomCharacterSet.FromSpecificCharacterSet(" \\ISO 2022 IR 87  ");
        var c = DicomCharacterSet.FromSpecificCharacterSet("\\ISO 2022 IR 149");

        Assert.That(a.Equals(b), Is.True);
        Assert.That(a.GetHashCode(), Is.EqualTo(b.GetHashCode()));
        Assert.That(a.Equals(c), Is.False);
        Assert.That(a.Equals(null), Is.False);
    }

    [Test]
    public void Utf8_is_ISO_IR_192_without_code_extensions()
    {
        Assert.That(DicomCharacterSet.Utf8.Terms, Is.EqualTo(new[] { "ISO_IR 192" }));
        Assert.That(DicomCharacterSet.Utf8.UsesCodeExtensions, Is.False);
        Assert.That(DicomCharacterSet.Utf8.IsDefault, Is.False);
    }

    [Test]
    public void ISO_IR_6_is_the_default_repertoire()
    {
        var characterSet = DicomCharacterSet.FromSpecificCharacterSet("ISO_IR 6");

        Assert.That(characterSet.IsDefault, Is.True);
        Assert.That(characterSet.UsesCodeExtensions, Is.False);
        Assert.That(characterSet.Terms, Is.EqualTo(new[] { "ISO_IR 6" }));
    }

    [Test]
    public void Unknown_term_is_reported_and_decoding_falls_back_to_the_default()
    {
        var characterSet = DicomCharacterSet.FromSpecificCharacterSet("ISO_IR 999");

        Assert.That(characterSet.UnknownTerms, Is.EqualTo(new[] { "ISO_IR 999" }));
        Assert.That(characterSet.Terms, Is.EqualTo(new[] { "ISO_IR 999" }));
        Assert.That(characterSet.IsDefault, Is.True);
        Assert.That(characterSet.Decode([(byte)'A', 0xE9], DicomVR.PN), Is.EqualTo("Aé"));
    }

    [Test]
    public void Unknown_first_term_falls_back_to_the_first_known_one()
    {
        var characterSet = DicomCharacterSet.FromSpecificCharacterSet("ISO_IR 999\\ISO 2022 IR 126");

        Assert.That(characterSet.UnknownTerms, Is.EqualTo(new[] { "ISO_IR 999" }));
        Assert.That(characterSet.Decode([0xE1], DicomVR.PN), Is.EqualTo("α"));
    }

    [Test]
    public void A_stand_alone_encoding_as_value_1_ignores_the_other_values()
    {
        var characterSet = DicomCharacterSet.FromSpecificCharacterSet("ISO_IR 192\\ISO 2022 IR 87");

        Assert.That(characterSet.UsesCodeExtensions, Is.False);
        Assert.That(characterSet.Decode([0xE7, 0x8E, 0x8B], DicomVR.PN), Is.EqualTo("王"));
    }

    [Test]
    public void A_stand_alone_encoding_after_value_1_is_ignored()
    {
        var characterSet = DicomCharacterSet.FromSpecificCharacterSet("ISO 2022 IR 100\\ISO_IR 192");

        Assert.That(characterSet.UsesCodeExtensions, Is.True);
        Assert.That(characterSet.Decode([0xE9], DicomVR.PN), Is.EqualTo("é"));
    }

    [Test]
    public void A_single_byte_term_without_the_2022_prefix_in_a_multi_valued_set_still_works()
    {
        // "ISO_IR 13\ISO 2022 IR 87" is a common mistake for "ISO 2022 IR 13\ISO 2022 IR 87".
        var characterSet = DicomCharacterSet.FromSpecificCharacterSet("ISO_IR 13\\ISO 2022 IR 87");
        var example = StandardExamples.JapaneseIr13Ir87;

        Assert.That(characterSet.Decode(example.Encoded, DicomVR.PN), Is.EqualTo(example.Text));
        Assert.That(characterSet.Encode(example.Text, DicomVR.PN), Is.EqualTo(example.Encoded));
    }

    [Test]
    public void Null_arguments_are_rejected()
    {
        Assert.Throws<ArgumentNullException>(() => DicomCharacterSet.FromSpecificCharacterSet(null!));
        Assert.Throws<ArgumentNullException>(() => DicomCharacterSet.FromTerms(null!));
        Assert.Throws<ArgumentNullException>(() => DicomCharacterSet.Utf8.Encode(null!, DicomVR.LO));
    }
}
