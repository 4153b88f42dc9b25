namespace NodeAgent.Pseudonymisation.Standard;

/// <summary>The options of PS3.15 E.3 that change the Basic Profile's action for some attributes.</summary>
[Flags]
public enum ConfidentialityOption
{
    None = 0,
    RetainSafePrivate = 1 << 0,
    RetainUids = 1 << 1,
    RetainDeviceIdentity = 1 << 2,
    RetainInstitutionIdentity = 1 << 3,
    RetainPatientCharacteristics = 1 << 4,
    RetainLongitudinalTemporalInformationFullDates = 1 << 5,
    RetainLongitudinalTemporalInformationModifiedDates = 1 << 6,
    CleanDescriptors = 1 << 7,
    CleanStructuredContent = 1 << 8,
    CleanGraphics = 1 << 9,
}
