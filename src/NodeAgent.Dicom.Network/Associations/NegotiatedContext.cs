namespace NodeAgent.Dicom.Network.Associations;

/// <summary>A presentation context as negotiated: what may be exchanged on it, in which transfer syntax, in which roles.</summary>
public sealed record NegotiatedContext(byte Id, string AbstractSyntax, DicomTransferSyntax TransferSyntax)
{
    /// <summary>The association requestor may act as SCP for this SOP class (C-GET storage sub-operations).</summary>
    public bool RequestorIsScp { get; init; }
}
