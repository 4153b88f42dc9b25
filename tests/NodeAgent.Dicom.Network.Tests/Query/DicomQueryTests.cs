using NodeAgent.Dicom.Network.Query;

namespace NodeAgent.Dicom.Network.Tests.Query;

/// <summary>How a query builds its identifier: levels, return keys and the character set of its values.</summary>
public class DicomQueryTests
{
    [Test]
    public void A_non_ascii_value_switches_the_identifier_to_utf8_even_when_the_character_set_is_a_return_key()
    {
        var query = DicomQuery.Create(DicomQueryLevel.Study).Return(DicomTags.SpecificCharacterSet);

        query.Match(DicomTags.PatientName, "Müller^Jörg");

        Assert.That(query.Identifier.GetString(DicomTags.SpecificCharacterSet), Is.EqualTo("ISO_IR 192"));
        Assert.That(query.Identifier.GetElement(DicomTags.PatientName)!.GetBytes().ToArray(), Is.EqualTo("Müller^Jörg"u8.ToArray()));
    }

    [Test]
    public void A_character_set_the_caller_chose_is_kept_and_used()
    {
        var query = DicomQuery.Create(DicomQueryLevel.Study);
        query.Identifier.AddOrUpdate(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 100");

        query.Match(DicomTags.PatientName, "Müller");

        Assert.That(query.Identifier.GetString(DicomTags.SpecificCharacterSet), Is.EqualTo("ISO_IR 100"));
        Assert.That(query.Identifier.GetElement(DicomTags.PatientName)!.GetBytes().ToArray(), Is.EqualTo(new byte[] { (byte)'M', 0xFC, (byte)'l', (byte)'l', (byte)'e', (byte)'r' }));
    }

    [Test]
    public void Ascii_values_leave_the_default_repertoire()
    {
        var query = DicomQuery.Create(DicomQueryLevel.Series).Match(DicomTags.Modality, "CT");

        Assert.That(query.Identifier.Contains(DicomTags.SpecificCharacterSet), Is.False);
        Assert.That(query.Identifier.GetString(DicomTags.QueryRetrieveLevel), Is.EqualTo("SERIES"));
    }

    [Test]
    public void The_study_root_model_has_no_patient_level()
    {
        Assert.That(() => DicomQuery.Create(DicomQueryLevel.Patient, DicomQueryModel.StudyRoot), Throws.ArgumentException.With.Message.Contains("patient root"));
        Assert.That(DicomQuery.Create(DicomQueryLevel.Patient, DicomQueryModel.PatientRoot).Identifier.Contains(DicomTags.PatientID), Is.True);
    }
}
