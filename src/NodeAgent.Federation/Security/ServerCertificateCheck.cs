using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace NodeAgent.Federation.Security;

/// <summary>
/// Checks the certificate of the server we dial (a node, for the hub; the hub, for a node in
/// outbound mode): it names the host dialled, is for server authentication, and is issued (through
/// any intermediates the server sent) by one of the federation's CAs only, not the system's.
/// </summary>
public static class ServerCertificateCheck
{
    public static RemoteCertificateValidationCallback For(X509Certificate2Collection trustedCas) => (_, certificate, presented, errors) =>
        (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0
        && certificate is X509Certificate2 server
        && CertificateChain.IsIssuedBy(server, presented, trustedCas, CertificateChain.ServerAuthentication, verificationTime: null);
}

/// <summary>Chain building against a given set of CAs, the one check both directions of mutual TLS share.</summary>
internal static class CertificateChain
{
    public const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    public static bool IsIssuedBy(X509Certificate2 certificate, X509Chain? presented, X509Certificate2Collection trustedCas, string usage, DateTime? verificationTime)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trustedCas);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (verificationTime is { } time)
        {
            chain.ChainPolicy.VerificationTime = time;
            chain.ChainPolicy.VerificationTimeIgnored = false;
        }

        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(usage));
        if (presented is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(presented.ChainElements.Select(e => e.Certificate).ToArray());
        }

        return chain.Build(certificate);
    }
}
