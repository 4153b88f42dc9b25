namespace NodeAgent.Dicom.Network.Pdus;

/// <summary>The acceptor's answer for one presentation context (PS3.8 Table 9-18).</summary>
public enum PresentationContextResultCode : byte
{
    Acceptance = 0,
    UserRejection = 1,
    NoReason = 2,
    AbstractSyntaxNotSupported = 3,
    TransferSyntaxesNotSupported = 4,
}
