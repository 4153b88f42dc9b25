using NodeAgent.Dicom.Network.Query;

namespace NodeAgent.Dicom.Network.Server;

/// <summary>A C-FIND received: the information model, the level and the identifier.</summary>
public sealed record DicomFindRequest(DicomAssociationInfo Association, DicomQueryModel Model, DicomQueryLevel Level, DicomDataset Identifier);
