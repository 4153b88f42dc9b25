using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace NodeAgent.Dicom.Network.Security;

/// <summary>
/// TLS for DICOM (PS3.15 Annex B): our certificate, which peers we trust (a CA bundle, or the
/// system store when none is given), and whether the peer must present a certificate.
/// </summary>
public sealed record DicomTlsOptions
{
    /// <summary>Our certificate with its private key (server: required; client: for mutual TLS).</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>Roots to trust instead of the system store (a hospital CA, say).</summary>
    public X509Certificate2Collection? TrustedRoots { get; init; }

    /// <summary>Server side: require and verify a client certificate (mutual TLS).</summary>
    public bool RequireClientCertificate { get; init; }

    /// <summary>Client side: the name the server certificate must carry; the host name when null.</summary>
    public string? TargetHost { get; init; }

    /// <summary>Loads a PEM certificate and key (or a PFX) from files, the way site IT provides them.</summary>
    public static X509Certificate2 LoadCertificate(string certificatePath, string? keyPath = null, string? password = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(certificatePath);
        if (keyPath is not null)
        {
            using var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            // Re-import so the key is usable by SslStream on every platform.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pfx), null);
        }

        return certificatePath.EndsWith(".pem", StringComparison.OrdinalIgnoreCase) || certificatePath.EndsWith(".crt", StringComparison.OrdinalIgnoreCase)
            ? X509CertificateLoader.LoadCertificateFromFile(certificatePath)
            : X509CertificateLoader.LoadPkcs12FromFile(certificatePath, password);
    }

    internal RemoteCertificateValidationCallback Validator(bool certificateRequired) => (_, certificate, chain, errors) =>
    {
        if (certificate is null)
        {
            return !certificateRequired;
        }

        if (TrustedRoots is null || TrustedRoots.Count == 0)
        {
            return errors == SslPolicyErrors.None;
        }

        // Validate against the given roots only, but keep name mismatches fatal.
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(TrustedRoots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            custom.ChainPolicy.ExtraStore.AddRange(chain.ChainElements.Select(e => e.Certificate).ToArray());
        }

        return custom.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    };
}
