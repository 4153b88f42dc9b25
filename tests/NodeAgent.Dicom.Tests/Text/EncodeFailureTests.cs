using System.Globalization;
using NodeAgent.Dicom.Text;

namespace NodeAgent.Dicom.Tests.Text;

public class EncodeFailureTests
{
    [Test]
    public void Default_repertoire_rejects_a_German_name_without_quoting_it()
    {
        var ex = Assert.Throws<DicomCharacterSetException>(
            () => DicomCharacterSet.Default.Encode("Müller^Jürgen", DicomVR.PN));

        Assert.That(ex!.Message, Does.Not.Contain("Müller"));
        Assert.That(ex.Message, Does.Not.Contain("Jürgen"));
        Assert.That(ex.Message, Does.Not.Contain("ü"));
        Assert.That(ex.Message, Does.Contain("index 1"));
        Assert.That(ex.Message, Does.Contain("default repertoire"));
        Assert.That(ex.Position, Is.EqualTo(1));
        Assert.That(ex.Category, Is.EqualTo(UnicodeCategory.LowercaseLetter));
    }

    [Test]
    public void Code_extension_failure_names_the_character_set_but_not_the_value()
    {
        var japanese = StandardExamples.JapaneseIr87.CharacterSet;

        var ex = Assert.Throws<DicomCharacterSetException>(() => japanese.Encode("Hong^홍길동", DicomVR.PN));

        Assert.That(ex!.Message, Does.Contain("ISO 2022 IR 87"));
        Assert.That(ex.Message, Does.Contain("index 5"));
        Assert.That(ex.Message, Does.Contain("OtherLetter"));
        Assert.That(ex.Message, Does.Not.Contain("Hong"));
        Assert.That(ex.Message, Does.Not.Contain("홍"));
    }

    [Test]
    public void TryEncode_and_CanEncode_report_failure_without_throwing()
    {
        Assert.That(DicomCharacterSet.Default.CanEncode("Müller", DicomVR.PN), Is.False);
        Assert.That(DicomCharacterSet.Default.TryEncode("Müller", DicomVR.PN, out var encoded), Is.False);
        Assert.That(encoded, Is.Empty);

        Assert.That(DicomCharacterSet.Default.TryEncode("Muller", DicomVR.PN, out encoded), Is.True);
        Assert.That(encoded, Is.EqualTo("Muller"u8.ToArray()));
    }
}
