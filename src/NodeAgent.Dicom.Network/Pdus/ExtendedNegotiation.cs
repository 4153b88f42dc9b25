namespace NodeAgent.Dicom.Network.Pdus;

/// <summary>
/// SOP class extended negotiation (PS3.7 D.3.3.5): for query/retrieve, the bytes say whether
/// relational queries, combined date-time matching and fuzzy semantic matching of names are used (PS3.4 C.5).
/// </summary>
public sealed record ExtendedNegotiation(string SopClassUid, ReadOnlyMemory<byte> ServiceClassApplicationInformation);
