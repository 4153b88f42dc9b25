namespace NodeAgent.Dicom.Network.Pdus;

/// <summary>A malformed PDU: wrong length, unknown item, bad value. The association is aborted.</summary>
public sealed class PduFormatException : DicomNetworkException
{
    public PduFormatException(string message, AbortReason reason = AbortReason.InvalidPduParameterValue)
        : base(message)
    {
        Reason = reason;
    }

    /// <summary>The A-ABORT reason to send the peer.</summary>
    public AbortReason Reason { get; }
}
