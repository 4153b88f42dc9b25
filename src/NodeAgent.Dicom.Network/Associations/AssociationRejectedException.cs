using NodeAgent.Dicom.Network.Pdus;

namespace NodeAgent.Dicom.Network.Associations;

/// <summary>The peer refused the association; <see cref="Reject"/> says why.</summary>
public sealed class AssociationRejectedException(string peer, AssociateRejectPdu reject)
    : DicomNetworkException($"{peer} {reject.Describe()}.")
{
    public AssociateRejectPdu Reject { get; } = reject;

    /// <summary>Worth trying again later (PS3.8: transient rejection).</summary>
    public bool IsTransient => Reject.Result == AssociateRejectResult.Transient;
}
