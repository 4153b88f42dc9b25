namespace NodeAgent.Dicom.Network.Pdus;

/// <summary>
/// One PDV of a P-DATA-TF: a fragment of a DIMSE command or data set. <see cref="Data"/> read from
/// the network points into the reader's buffer and is valid until the next PDU is read.
/// </summary>
public sealed record PresentationDataValue(byte PresentationContextId, bool IsCommand, bool IsLastFragment, ReadOnlyMemory<byte> Data);
