namespace NodeAgent.Dicom.Network.Pdus;

/// <summary>User identity negotiation (PS3.7 D.3.3.7): a username (and passcode), or a Kerberos ticket, SAML assertion or JWT passed through as bytes.</summary>
public sealed record UserIdentityRequest(UserIdentityType IdentityType, bool PositiveResponseRequested, ReadOnlyMemory<byte> PrimaryField, ReadOnlyMemory<byte> SecondaryField)
{
    public static UserIdentityRequest UsernamePasscode(string username, string passcode, bool positiveResponseRequested = false) =>
        new(UserIdentityType.UsernameAndPasscode, positiveResponseRequested, System.Text.Encoding.UTF8.GetBytes(username), System.Text.Encoding.UTF8.GetBytes(passcode));

    /// <summary>Never prints the credentials.</summary>
    public override string ToString() => $"UserIdentity {IdentityType} ({PrimaryField.Length} + {SecondaryField.Length} bytes)";
}
