namespace NodeAgent.Dicom.Network.Query;

public static class DicomQueryModelExtensions
{
    public static string FindSopClass(this DicomQueryModel model) => model == DicomQueryModel.PatientRoot
        ? DicomUids.PatientRootQueryRetrieveInformationModelFind
        : DicomUids.StudyRootQueryRetrieveInformationModelFind;

    public static string MoveSopClass(this DicomQueryModel model) => model == DicomQueryModel.PatientRoot
        ? DicomUids.PatientRootQueryRetrieveInformationModelMove
        : DicomUids.StudyRootQueryRetrieveInformationModelMove;

    public static string GetSopClass(this DicomQueryModel model) => model == DicomQueryModel.PatientRoot
        ? DicomUids.PatientRootQueryRetrieveInformationModelGet
        : DicomUids.StudyRootQueryRetrieveInformationModelGet;

    public static string Code(this DicomQueryLevel level) => level switch
    {
        DicomQueryLevel.Patient => "PATIENT",
        DicomQueryLevel.Study => "STUDY",
        DicomQueryLevel.Series => "SERIES",
        _ => "IMAGE",
    };
}
