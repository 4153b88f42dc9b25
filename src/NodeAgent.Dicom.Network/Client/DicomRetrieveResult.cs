using NodeAgent.Dicom.Network.Dimse;

namespace NodeAgent.Dicom.Network.Client;

/// <summary>The end of a C-MOVE or C-GET: sub-operation counts and the final status.</summary>
public sealed record DicomRetrieveResult(ushort Status, int Completed, int Failed, int Warnings, string? ErrorComment)
{
    public bool Succeeded => DimseStatus.IsSuccess(Status) || (DimseStatus.IsWarning(Status) && Failed == 0);
}
