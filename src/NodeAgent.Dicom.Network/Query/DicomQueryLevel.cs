namespace NodeAgent.Dicom.Network.Query;

/// <summary>Query/Retrieve Level (0008,0052).</summary>
public enum DicomQueryLevel
{
    Patient,
    Study,
    Series,
    Image,
}
