namespace NodeAgent.Dicom.Network.Pdus;

/// <summary>A-ABORT (PS3.8 9.3.8).</summary>
public sealed record AbortPdu(AbortSource Source, AbortReason Reason) : Pdu
{
    public override PduType Type => PduType.Abort;

    public string Describe() => Source == AbortSource.ServiceUser
        ? "aborted by the peer application"
        : Reason switch
        {
            AbortReason.UnrecognizedPdu => "aborted by the peer's DICOM stack: it did not recognise a PDU we sent",
            AbortReason.UnexpectedPdu => "aborted by the peer's DICOM stack: a PDU we sent was unexpected in its state",
            AbortReason.UnrecognizedPduParameter or AbortReason.UnexpectedPduParameter or AbortReason.InvalidPduParameterValue =>
                $"aborted by the peer's DICOM stack: a PDU parameter was refused ({Reason})",
            _ => "aborted by the peer's DICOM stack (no reason given)",
        };
}
