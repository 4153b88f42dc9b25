using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace NodeAgent.Service.Configuration;

/// <summary>The federation endpoint's certificate, key and client CA bundle, loaded and checked at start.</summary>
public sealed record FederationTls(X509Certificate2 Certificate, X509Certificate2Collection ClientCas);

internal static class FederationTlsLoader
{
    public static FederationTls? Load(FederationTlsSettings tls, string key, List<string> problems, bool requireClientCa = true)
    {
        var before = problems.Count;
        Required(tls.CertificateFile, $"{key}:CertificateFile", "the node's certificate (PEM)", problems);
        Required(tls.KeyFile, $"{key}:KeyFile", "its private key (PEM)", problems);
        if (requireClientCa || tls.ClientCaFile is not null)
        {
            Required(tls.ClientCaFile, $"{key}:ClientCaFile", "the CA bundle (PEM) that issues the requesters' certificates", problems);
        }
        if (problems.Count > before)
        {
            return null;
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(tls.KeyFile!) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
        {
            problems.Add($"{key}:KeyFile {tls.KeyFile} can be read by others than its owner: chmod 600 it (and chown it to the service account).");
            return null;
        }

        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(tls.CertificateFile!, tls.KeyFile);

            // Through PKCS#12, so that SslStream can use the key on every platform.
            var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            var cas = new X509Certificate2Collection();
            if (tls.ClientCaFile is not null)
            {
                cas.ImportFromPemFile(tls.ClientCaFile);
            }

            if (cas.Count == 0 && requireClientCa)
            {
                problems.Add($"{key}:ClientCaFile {tls.ClientCaFile} holds no certificate.");
                return null;
            }

            if (certificate.NotAfter < DateTime.Now)
            {
                problems.Add($"{key}:CertificateFile {tls.CertificateFile} expired on {certificate.NotAfter:yyyy-MM-dd}.");
                return null;
            }

            return new FederationTls(certificate, cas);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            problems.Add($"{key}: the certificate, key or CA bundle cannot be read ({e.Message}).");
            return null;
        }
    }

    private static void Required(string? path, string key, string what, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            problems.Add($"{key} is missing: {what}.");
        }
        else if (!File.Exists(path))
        {
            problems.Add($"{key}: {path} does not exist ({what}).");
        }
    }
}
