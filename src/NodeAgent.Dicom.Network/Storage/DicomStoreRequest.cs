using NodeAgent.Dicom.Network.Dimse;

namespace NodeAgent.Dicom.Network.Storage;

/// <summary>An instance received by C-STORE (pushed to us, or a C-GET/C-MOVE sub-operation).</summary>
public sealed record DicomStoreRequest(
    string SopClassUid,
    string SopInstanceUid,
    string CallingAeTitle,
    ReceivedDataset Dataset)
{
    /// <summary>For C-MOVE sub-operations: the AE that asked for the move.</summary>
    public string? MoveOriginatorAeTitle { get; init; }
}
