using NodeAgent.Dicom.Text;

namespace NodeAgent.Dicom.Tests.Text;

public class DefaultRepertoireTests
{
    [Test]
    public void Bytes_above_0x7F_decode_as_Latin1_without_a_character_set()
    {
        Assert.That(DicomCharacterSet.Default.Decode([(byte)'J', 0xE9, 0xFF], DicomVR.PN), Is.EqualTo("Jéÿ"));
    }

    [TestCase(DicomVR.AE)]
    [TestCase(DicomVR.CS)]
    [TestCase(DicomVR.DA)]
    [TestCase(DicomVR.DS)]
    [TestCase(DicomVR.IS)]
    [TestCase(DicomVR.UI)]
    [TestCase(DicomVR.UR)]
    public void VRs_that_never_use_the_character_set_decode_as_Latin1_even_under_UTF8(DicomVR vr)
    {
        byte[] utf8E = [0xC3, 0xA9];

        Assert.That(DicomCharacterSet.Utf8.Decode(utf8E, vr), Is.EqualTo("Ã©"));
        Assert.That(DicomCharacterSet.Utf8.Decode(utf8E, DicomVR.LO), Is.EqualTo("é"));
    }

    [Test]
    public void VRs_that_never_use_the_character_set_ignore_escape_sequences()
    {
        var japanese = DicomCharacterSet.FromSpecificCharacterSet("\\ISO 2022 IR 87");

        Assert.That(japanese.Decode(StandardExamples.Bytes("\u001B$B;3"), DicomVR.CS), Is.EqualTo("\u001B$B;3"));
    }

    [Test]
    public void VRs_that_never_use_the_character_set_are_encoded_as_ASCII_only()
    {
        var latin1 = DicomCharacterSet.FromSpecificCharacterSet("ISO_IR 100");

        Assert.That(latin1.Encode("ORIGINAL\\PRIMARY", DicomVR.CS), Is.EqualTo("ORIGINAL\\PRIMARY"u8.ToArray()));
        Assert.That(latin1.CanEncode("é", DicomVR.LO), Is.True);
        Assert.That(latin1.CanEncode("é", DicomVR.CS), Is.False);

        var ex = Assert.Throws<DicomCharacterSetException>(() => DicomCharacterSet.Utf8.Encode("STATIONé", DicomVR.AE));
        Assert.That(ex!.CharacterSet, Does.Contain("default repertoire"));
        Assert.That(ex.Position, Is.EqualTo(7));
    }

    [Test]
    public void An_empty_value_decodes_and_encodes_to_empty()
    {
        var characterSet = StandardExamples.JapaneseIr87.CharacterSet;

        Assert.That(characterSet.Decode([], DicomVR.PN), Is.Empty);
        Assert.That(characterSet.Encode("", DicomVR.PN), Is.Empty);
    }

    [Test]
    public void Decoding_ASCII_allocates_only_the_result_string()
    {
        var characterSet = StandardExamples.JapaneseIr87.CharacterSet;
        var value = "DOE^JOHN^^^=SMITH\\ANOTHER VALUE WITH SOME LENGTH 0123456789"u8.ToArray();
        _ = characterSet.Decode(value, DicomVR.PN);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var decoded = characterSet.Decode(value, DicomVR.PN);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // A string costs a 20-24 byte header plus two bytes per char.
        Assert.That(decoded, Has.Length.EqualTo(value.Length));
        Assert.That(allocated, Is.LessThanOrEqualTo((2 * value.Length) + 32));
    }

    [Test]
    public void Checking_a_Latin1_name_allocates_nothing()
    {
        var latin1 = DicomCharacterSet.FromSpecificCharacterSet("ISO_IR 100");
        _ = latin1.CanEncode("Müller^Jürgen", DicomVR.PN);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var canEncode = latin1.CanEncode("Müller^Jürgen", DicomVR.PN);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(canEncode, Is.True);
        Assert.That(allocated, Is.Zero);
    }
}
