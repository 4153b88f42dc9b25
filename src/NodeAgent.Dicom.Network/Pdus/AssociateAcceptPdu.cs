namespace NodeAgent.Dicom.Network.Pdus;

/// <summary>A-ASSOCIATE-AC (PS3.8 9.3.3).</summary>
public sealed record AssociateAcceptPdu(
    string CalledAeTitle,
    string CallingAeTitle,
    IReadOnlyList<PresentationContextResult> PresentationContexts,
    UserInformation UserInformation) : Pdu
{
    public override PduType Type => PduType.AssociateAccept;

    public string ApplicationContextName { get; init; } = AssociateRequestPdu.DicomApplicationContext;

    public ushort ProtocolVersion { get; init; } = 1;
}
