namespace NodeAgent.Dicom.Network.Server;

/// <summary>Who is on an association served by us.</summary>
public sealed record DicomAssociationInfo(string CallingAeTitle, string CalledAeTitle, string RemoteEndPoint);
