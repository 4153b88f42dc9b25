using NodeAgent.Dicom.Dictionary;

namespace NodeAgent.Dicom.Tests;

public class DictionaryTests
{
    [Test]
    public void Standard_tags_resolve_to_their_keyword_and_VR()
    {
        var entry = DicomDictionary.Find(DicomTags.PatientName);
        Assert.That(entry, Is.Not.Null);
        Assert.That(entry!.Keyword, Is.EqualTo("PatientName"));
        Assert.That(entry.ValueRepresentation, Is.EqualTo(DicomVR.PN));
    }
}
