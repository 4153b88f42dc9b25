using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace NodeAgent.Testing;

/// <summary>A throwaway certificate authority for tests: a CA, a server certificate for 127.0.0.1, client certificates.</summary>
public sealed class TestPki : IDisposable
{
    private TestPki(X509Certificate2 ca) => Ca = ca;

    public X509Certificate2 Ca { get; }

    public static TestPki Create(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return new TestPki(request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-365), DateTimeOffset.UtcNow.AddYears(1)));
    }

    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    public X509Certificate2 Server() => Issue("CN=127.0.0.1", [ServerAuthentication], DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

    /// <summary>A node's certificate, named for its site: it serves (inbound) and dials its hub (outbound-only mode).</summary>
    public X509Certificate2 Node(string site) => Issue("CN=" + site, [ServerAuthentication, ClientAuthentication], DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

    public X509Certificate2 Client(string subject, bool expired = false) =>
        expired
            ? Issue(subject, [ClientAuthentication], DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1))
            : Issue(subject, [ClientAuthentication], DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

    public void Dispose() => Ca.Dispose();

    /// <summary>Writes a certificate and its key as PEM files (the key readable by its owner only), as site IT would have them.</summary>
    public static (string Certificate, string Key) WritePem(X509Certificate2 certificate, string directory, string name)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var certificatePath = Path.Combine(directory, name + ".crt");
        var keyPath = Path.Combine(directory, name + ".key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("The certificate has no EC key.");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return (certificatePath, keyPath);
    }

    /// <summary>Writes the CA's certificate as a PEM bundle.</summary>
    public string WriteCaPem(string directory, string name)
    {
        var path = Path.Combine(directory, name + ".pem");
        File.WriteAllText(path, Ca.ExportCertificatePem());
        return path;
    }

    private X509Certificate2 Issue(string subject, string[] usages, DateTimeOffset from, DateTimeOffset to)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var oids = new OidCollection();
        foreach (var usage in usages)
        {
            oids.Add(new Oid(usage));
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        if (usages.Contains(ServerAuthentication))
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(System.Net.IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(12);
        using var issued = request.Create(Ca, from, to, serial);
        using var withKey = issued.CopyWithPrivateKey(key);

        // Through PKCS#12, so that SslStream can use the key on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pfx), null);
    }
}
