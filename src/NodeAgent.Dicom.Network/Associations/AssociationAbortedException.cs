using NodeAgent.Dicom.Network.Pdus;

namespace NodeAgent.Dicom.Network.Associations;

/// <summary>The association was aborted: by the peer (<see cref="Abort"/> set) or by us after a protocol error.</summary>
public sealed class AssociationAbortedException : DicomNetworkException
{
    public AssociationAbortedException(string message, AbortPdu? abort = null)
        : base(message)
    {
        Abort = abort;
    }

    public AbortPdu? Abort { get; }
}
