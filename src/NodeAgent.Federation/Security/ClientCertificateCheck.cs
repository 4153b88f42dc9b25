using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace NodeAgent.Federation.Security;

/// <summary>
/// Checks a client certificate during the TLS handshake: issued (through any intermediates the client
/// sent) by one of the configured CAs only, not the system's, and valid now. Revocation is not checked
/// (hospital networks seldom reach a CRL); a compromised requester is removed from the allow-list.
/// </summary>
public sealed class ClientCertificateCheck(X509Certificate2Collection trustedCas, TimeProvider time)
{
    public bool IsTrusted(X509Certificate2? certificate, X509Chain? presented)
    {
        if (certificate is null)
        {
            return false;
        }

        return CertificateChain.IsIssuedBy(certificate, presented, trustedCas, CertificateChain.ClientAuthentication, time.GetLocalNow().DateTime);
    }

    /// <summary>For Kestrel's <c>ClientCertificateValidation</c>: the platform's verdict is replaced by ours.</summary>
    public bool Validate(X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors errors) => IsTrusted(certificate, chain);
}
