using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace NodeAgent.Pseudonymisation.Keys;

/// <summary>
/// Keyed, deterministic pseudonyms: HMAC-SHA256 under the site secret, with a separate domain for
/// each kind of value, so the same input always maps to the same output and no one without the key
/// can recompute or reverse the mapping. Thread-safe.
/// </summary>
public sealed class PseudonymGenerator(SiteSecret secret)
{
    // Crockford's base 32: no I, L, O or U, so pseudonyms read aloud or copied by hand survive.
    private const string Base32Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// <summary>Length of identifier pseudonyms: 80 bits, and it fits SH (16 characters).</summary>
    public const int IdentifierLength = 16;

    public string KeyId => secret.KeyId;

    /// <summary>A UID under the 2.25 root (PS3.5 B.2): the first 128 bits of the HMAC as a decimal.</summary>
    public string Uid(string uid)
    {
        Span<byte> mac = stackalloc byte[32];
        Mac("uid", uid, mac);
        var value = BinaryPrimitives.ReadUInt128BigEndian(mac);
        return "2.25." + value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A pseudonym for an identifier (patient ID, accession number, ...) in the domain given.</summary>
    public string Identifier(string domain, string value)
    {
        Span<byte> mac = stackalloc byte[32];
        Mac(domain, value, mac);
        Span<char> text = stackalloc char[IdentifierLength];
        // 5 bits per character, from the first 10 bytes.
        var bits = BinaryPrimitives.ReadUInt128BigEndian(mac);
        for (var i = 0; i < IdentifierLength; i++)
        {
            text[i] = Base32Alphabet[(int)(bits >> (123 - (i * 5))) & 31];
        }

        return new string(text);
    }

    /// <summary>The date shift, in days, for one patient: uniform in [<paramref name="minDays"/>, <paramref name="maxDays"/>].</summary>
    public int DateShiftDays(string patientKey, int minDays, int maxDays)
    {
        if (maxDays < minDays)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDays), "The date shift range is empty.");
        }

        Span<byte> mac = stackalloc byte[32];
        Mac("date-shift", patientKey, mac);
        var span = (ulong)((long)maxDays - minDays + 1);
        return (int)(minDays + (long)(BinaryPrimitives.ReadUInt64BigEndian(mac) % span));
    }

    private void Mac(string domain, string value, Span<byte> destination)
    {
        var length = Encoding.UTF8.GetMaxByteCount(domain.Length + value.Length) + 1;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = Encoding.UTF8.GetBytes(domain, rented);
            rented[written++] = 0; // the domain never runs into the value
            written += Encoding.UTF8.GetBytes(value, rented.AsSpan(written));
            HMACSHA256.HashData(secret.Key, rented.AsSpan(0, written), destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented, clearArray: true);
        }
    }
}
