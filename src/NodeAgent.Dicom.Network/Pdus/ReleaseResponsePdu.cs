namespace NodeAgent.Dicom.Network.Pdus;

/// <summary>A-RELEASE-RP (PS3.8 9.3.7).</summary>
public sealed record ReleaseResponsePdu : Pdu
{
    public override PduType Type => PduType.ReleaseResponse;
}
