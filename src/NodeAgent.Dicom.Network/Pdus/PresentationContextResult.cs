namespace NodeAgent.Dicom.Network.Pdus;

/// <summary>A presentation context in an A-ASSOCIATE-AC: accepted with one transfer syntax, or refused.</summary>
public sealed record PresentationContextResult(byte Id, PresentationContextResultCode Result, string TransferSyntax)
{
    public bool IsAccepted => Result == PresentationContextResultCode.Acceptance;
}
