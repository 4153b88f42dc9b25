namespace NodeAgent.Dicom.Network.Query;

/// <summary>The query/retrieve information models of PS3.4 C.6.</summary>
public enum DicomQueryModel
{
    PatientRoot,
    StudyRoot,
}
