namespace NodeAgent.Dicom.Network.Associations;

/// <summary>The states of the upper layer state machine (PS3.8 9.2, Table 9-10) that an association passes through.</summary>
public enum AssociationState
{
    /// <summary>Sta1: no association.</summary>
    Idle,

    /// <summary>Sta2: transport connected, awaiting A-ASSOCIATE-RQ (ARTIM running).</summary>
    AwaitingAssociateRequest,

    /// <summary>Sta5: A-ASSOCIATE-RQ sent, awaiting A-ASSOCIATE-AC or -RJ.</summary>
    AwaitingAssociateResponse,

    /// <summary>Sta6: association established, ready for data transfer.</summary>
    Established,

    /// <summary>Sta7: A-RELEASE-RQ sent, awaiting A-RELEASE-RP.</summary>
    AwaitingReleaseResponse,

    /// <summary>Sta11 (requestor) / Sta10 (acceptor): both sides asked to release at once (release collision).</summary>
    ReleaseCollision,

    /// <summary>Sta13: released or aborted, awaiting the transport to close (ARTIM running).</summary>
    AwaitingClose,
}
