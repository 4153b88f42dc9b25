namespace NodeAgent.Dicom.Network.Pdus;

/// <summary>A-ASSOCIATE-RQ (PS3.8 9.3.2).</summary>
public sealed record AssociateRequestPdu(
    string CalledAeTitle,
    string CallingAeTitle,
    IReadOnlyList<PresentationContextProposal> PresentationContexts,
    UserInformation UserInformation) : Pdu
{
    /// <summary>The DICOM application context name, the only one defined (PS3.7 A.2.1).</summary>
    public const string DicomApplicationContext = "1.2.840.10008.3.1.1.1";

    public override PduType Type => PduType.AssociateRequest;

    public string ApplicationContextName { get; init; } = DicomApplicationContext;

    public ushort ProtocolVersion { get; init; } = 1;
}
