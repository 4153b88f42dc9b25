using NodeAgent.Dicom;
using NodeAgent.Pseudonymisation.Profiles;
using NodeAgent.Pseudonymisation.Standard;

namespace NodeAgent.Pseudonymisation.Internal;

/// <summary>
/// Records what was done, as PS3.15 E.1.1 asks: Patient Identity Removed, De-identification Method
/// (with our profile and key id, so a rotated key can be recognised), its code sequence from
/// CID 7050, and Longitudinal Temporal Information Modified.
/// </summary>
internal static class DeidentificationMarks
{
    // PS3.16 CID 7050 "De-identification Method", scheme DCM.
    private static readonly (ConfidentialityOption Option, string Code, string Meaning)[] OptionCodes =
    [
        (ConfidentialityOption.CleanGraphics, "113103", "Clean Graphics Option"),
        (ConfidentialityOption.CleanStructuredContent, "113104", "Clean Structured Content Option"),
        (ConfidentialityOption.CleanDescriptors, "113105", "Clean Descriptors Option"),
        (ConfidentialityOption.RetainLongitudinalTemporalInformationFullDates, "113106", "Retain Longitudinal Temporal Information Full Dates Option"),
        (ConfidentialityOption.RetainLongitudinalTemporalInformationModifiedDates, "113107", "Retain Longitudinal Temporal Information Modified Dates Option"),
        (ConfidentialityOption.RetainPatientCharacteristics, "113108", "Retain Patient Characteristics Option"),
        (ConfidentialityOption.RetainDeviceIdentity, "113109", "Retain Device Identity Option"),
        (ConfidentialityOption.RetainUids, "113110", "Retain UIDs Option"),
        (ConfidentialityOption.RetainSafePrivate, "113111", "Retain Safe Private Option"),
        (ConfidentialityOption.RetainInstitutionIdentity, "113112", "Retain Institution Identity Option"),
    ];

    public static void Apply(DicomDataset dataset, PseudonymisationProfile profile, string keyId, bool pixelsCleaned)
    {
        dataset.AddOrUpdate(DicomTags.PatientIdentityRemoved, DicomVR.CS, "YES");
        var method = $"NodeAgent {DicomImplementationVersion} profile {profile.Name} key {keyId}";
        dataset.AddOrUpdate(DicomTags.DeidentificationMethod, DicomVR.LO, method.Length <= 64 ? method : method[..64]);

        var codes = new List<DicomDataset> { Code("113100", "Basic Application Confidentiality Profile") };
        if (pixelsCleaned)
        {
            codes.Add(Code("113101", "Clean Pixel Data Option"));
        }

        codes.AddRange(OptionCodes.Where(c => (profile.Options & c.Option) != 0).Select(c => Code(c.Code, c.Meaning)));
        dataset.AddOrUpdate(new DicomSequence(DicomTags.DeidentificationMethodCodeSequence, codes));

        var temporal = (profile.Options & ConfidentialityOption.RetainLongitudinalTemporalInformationFullDates) != 0 ? "UNMODIFIED"
            : (profile.Options & ConfidentialityOption.RetainLongitudinalTemporalInformationModifiedDates) != 0 ? "MODIFIED"
            : "REMOVED";
        dataset.AddOrUpdate(DicomTags.LongitudinalTemporalInformationModified, DicomVR.CS, temporal);
        if (pixelsCleaned)
        {
            dataset.AddOrUpdate(DicomTags.BurnedInAnnotation, DicomVR.CS, "NO");
        }
    }

    private static string DicomImplementationVersion => typeof(DeidentificationMarks).Assembly.GetName().Version?.ToString(3) ?? "0";

    private static DicomDataset Code(string value, string meaning)
    {
        var item = new DicomDataset();
        item.AddOrUpdate(DicomTags.CodeValue, DicomVR.SH, value);
        item.AddOrUpdate(DicomTags.CodingSchemeDesignator, DicomVR.SH, "DCM");
        item.AddOrUpdate(DicomTags.CodeMeaning, DicomVR.LO, meaning);
        return item;
    }
}
