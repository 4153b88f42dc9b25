namespace NodeAgent.Dicom.Network.Pdus;

/// <summary>A-ASSOCIATE-RJ (PS3.8 9.3.4), with the reason in words a site's IT staff can act on.</summary>
public sealed record AssociateRejectPdu(AssociateRejectResult Result, AssociateRejectSource Source, byte Reason) : Pdu
{
    public const byte ReasonNoReasonGiven = 1;
    public const byte ReasonApplicationContextNotSupported = 2;
    public const byte ReasonCallingAeNotRecognized = 3;
    public const byte ReasonCalledAeNotRecognized = 7;
    public const byte ReasonProtocolVersionNotSupported = 2;
    public const byte ReasonTemporaryCongestion = 1;
    public const byte ReasonLocalLimitExceeded = 2;

    public override PduType Type => PduType.AssociateReject;

    /// <summary>Plain-language reason (PS3.8 Table 9-21).</summary>
    public string Describe()
    {
        var what = (Source, Reason) switch
        {
            (AssociateRejectSource.ServiceUser, 1) => "no reason given",
            (AssociateRejectSource.ServiceUser, 2) => "application context name not supported",
            (AssociateRejectSource.ServiceUser, 3) => "our calling AE title is not known to the peer (add it to the peer's list of allowed modalities)",
            (AssociateRejectSource.ServiceUser, 7) => "the called AE title is not the peer's (check --called-ae)",
            (AssociateRejectSource.ServiceProviderAcse, 1) => "no reason given (ACSE)",
            (AssociateRejectSource.ServiceProviderAcse, 2) => "protocol version not supported",
            (AssociateRejectSource.ServiceProviderPresentation, 1) => "the peer is congested, try again later",
            (AssociateRejectSource.ServiceProviderPresentation, 2) => "the peer's local limit of associations is exceeded, try again later",
            _ => $"reason {Reason} from {Source}",
        };
        return $"{(Result == AssociateRejectResult.Permanent ? "permanently" : "transiently")} rejected: {what}";
    }
}
