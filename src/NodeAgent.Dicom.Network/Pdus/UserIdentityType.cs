namespace NodeAgent.Dicom.Network.Pdus;

/// <summary>User identity types of PS3.7 D.3.3.7.</summary>
public enum UserIdentityType : byte
{
    Username = 1,
    UsernameAndPasscode = 2,
    Kerberos = 3,
    Saml = 4,
    Jwt = 5,
}
