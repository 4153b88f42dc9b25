namespace NodeAgent.Dicom.Network.Dimse;

/// <summary>A DIMSE operation ended with a failure status.</summary>
public sealed class DimseStatusException(string operation, string peer, ushort status, string? errorComment)
    : DicomNetworkException($"{operation} to {peer} failed: {DimseStatus.Describe(status)}{(string.IsNullOrWhiteSpace(errorComment) ? "" : $" ({errorComment.Trim()})")}.")
{
    public ushort Status { get; } = status;
}
