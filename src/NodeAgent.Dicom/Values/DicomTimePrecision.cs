namespace NodeAgent.Dicom.Values;

/// <summary>How much of a TM or DT value was given: DICOM allows trailing components to be omitted.</summary>
public enum DicomTimePrecision
{
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    Fraction,
}
