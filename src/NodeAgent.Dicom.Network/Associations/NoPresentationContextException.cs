namespace NodeAgent.Dicom.Network.Associations;

/// <summary>The peer accepted the association but none of the presentation contexts an operation needs.</summary>
public sealed class NoPresentationContextException(string message) : DicomNetworkException(message);
