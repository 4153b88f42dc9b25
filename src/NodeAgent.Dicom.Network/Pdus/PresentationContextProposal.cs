namespace NodeAgent.Dicom.Network.Pdus;

/// <summary>A presentation context proposed in an A-ASSOCIATE-RQ: one abstract syntax, the transfer syntaxes offered for it.</summary>
public sealed record PresentationContextProposal(byte Id, string AbstractSyntax, IReadOnlyList<string> TransferSyntaxes);
