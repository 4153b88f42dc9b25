using NodeAgent.Dicom.Network.Dimse;

namespace NodeAgent.Dicom.Network.Client;

/// <summary>One file of a C-STORE batch: the peer's status, or the reason it could not be sent (then Status is null).</summary>
public sealed record DicomStoreOutcome(string Source, ushort? Status, string? Problem)
{
    public bool Succeeded => Status is { } s && (DimseStatus.IsSuccess(s) || DimseStatus.IsWarning(s));
}
