using System.Security.Cryptography.X509Certificates;

namespace NodeAgent.Federation.Security;

/// <summary>
/// The requesters a site admits, each known by its client certificate's subject or thumbprint (SHA-256
/// or SHA-1, hex), with its roles. A certificate issued by the trusted CA but not on this list is
/// refused: the CA vouches for who a caller is, the site decides who may ask.
/// </summary>
public sealed class RequesterAllowList(IReadOnlyList<RequesterEntry> entries)
{
    public IReadOnlyList<RequesterEntry> Entries { get; } = entries;

    public Requester? Identify(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var sha256 = certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var sha1 = certificate.Thumbprint;
        var subject = certificate.SubjectName.Name;
        foreach (var entry in Entries)
        {
            var byThumbprint = entry.Thumbprint is { Length: > 0 } t && (string.Equals(Normalise(t), sha256, StringComparison.OrdinalIgnoreCase) || string.Equals(Normalise(t), sha1, StringComparison.OrdinalIgnoreCase));
            var bySubject = entry.Subject is { Length: > 0 } s && string.Equals(new X500DistinguishedName(s).Name, subject, StringComparison.OrdinalIgnoreCase);
            if (byThumbprint || bySubject)
            {
                return new Requester(entry.Name, entry.Roles);
            }
        }

        return null;
    }

    private static string Normalise(string thumbprint) => thumbprint.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
}

/// <summary>One admitted requester: its name (in the audit log), how its certificate is recognised, its roles.</summary>
public sealed record RequesterEntry(string Name, string? Subject, string? Thumbprint, IReadOnlySet<string> Roles);
