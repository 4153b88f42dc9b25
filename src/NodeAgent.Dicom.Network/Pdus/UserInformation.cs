namespace NodeAgent.Dicom.Network.Pdus;

/// <summary>The user information item of an association request or accept (PS3.8 9.3.2.3, PS3.7 D.3.3).</summary>
public sealed record UserInformation
{
    /// <summary>The largest P-DATA-TF PDU the sender can receive; 0 means no limit.</summary>
    public uint MaxPduLength { get; init; } = 16384;

    public string? ImplementationClassUid { get; init; } = DicomImplementation.ClassUid;

    public string? ImplementationVersionName { get; init; } = DicomImplementation.VersionName;

    /// <summary>Asynchronous operations window: null when not negotiated (which means 1/1).</summary>
    public ushort? MaxOperationsInvoked { get; init; }

    public ushort? MaxOperationsPerformed { get; init; }

    public IReadOnlyList<RoleSelection> RoleSelections { get; init; } = [];

    public IReadOnlyList<ExtendedNegotiation> ExtendedNegotiations { get; init; } = [];

    public UserIdentityRequest? UserIdentity { get; init; }

    /// <summary>The acceptor's server response to a user identity request (Kerberos ticket, SAML response, JWT), when asked for.</summary>
    public ReadOnlyMemory<byte>? UserIdentityServerResponse { get; init; }
}
