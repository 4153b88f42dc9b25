namespace NodeAgent.Dicom.Network.Dimse;

/// <summary>DIMSE status codes (PS3.7 C, PS3.4) and their classes.</summary>
public static class DimseStatus
{
    public const ushort Success = 0x0000;
    public const ushort Pending = 0xFF00;
    public const ushort PendingWithWarnings = 0xFF01;
    public const ushort Cancel = 0xFE00;
    public const ushort OutOfResources = 0xA700;
    public const ushort OutOfResourcesSubOperations = 0xA702;
    public const ushort MoveDestinationUnknown = 0xA801;
    public const ushort IdentifierDoesNotMatchSopClass = 0xA900;
    public const ushort UnableToProcess = 0xC000;
    public const ushort SubOperationsCompleteWithFailures = 0xB000;
    public const ushort SopClassNotSupported = 0x0122;
    public const ushort ProcessingFailure = 0x0110;
    public const ushort DuplicateSopInstance = 0x0111;

    public static bool IsPending(ushort status) => status is Pending or PendingWithWarnings;

    public static bool IsSuccess(ushort status) => status == Success;

    /// <summary>Warnings: 0001, 0107, 0116, Bxxx (PS3.7 C.1.2).</summary>
    public static bool IsWarning(ushort status) => status is 0x0001 or 0x0107 or 0x0116 || (status & 0xF000) == 0xB000;

    public static bool IsFailure(ushort status) => !IsSuccess(status) && !IsPending(status) && !IsWarning(status) && status != Cancel;

    public static string Describe(ushort status) => status switch
    {
        Success => "success",
        Pending or PendingWithWarnings => "pending",
        Cancel => "cancelled",
        OutOfResources or OutOfResourcesSubOperations => "the peer is out of resources",
        MoveDestinationUnknown => "the move destination AE title is not known to the peer (register it there)",
        IdentifierDoesNotMatchSopClass => "the query does not match the information model",
        SopClassNotSupported => "SOP class not supported by the peer",
        ProcessingFailure => "processing failure on the peer",
        DuplicateSopInstance => "the instance already exists on the peer",
        SubOperationsCompleteWithFailures => "finished, but some sub-operations failed",
        _ when (status & 0xF000) == 0xC000 => $"the peer could not process the request (0x{status:X4})",
        _ when (status & 0xFF00) == 0xA700 => $"the peer is out of resources (0x{status:X4})",
        _ when (status & 0xFF00) == 0xA900 => $"the request did not match the SOP class (0x{status:X4})",
        _ => $"status 0x{status:X4}",
    };
}
