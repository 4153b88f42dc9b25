using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;
using NodeAgent.Federation.Internal;
using NodeAgent.Federation.V1;

namespace NodeAgent.Federation.Disclosure;

/// <summary>
/// Releases counts under the site's policy: Laplace noise (scale 1/epsilon), then a threshold (a count
/// below it, true or noisy, is released as "fewer than" the threshold), then rounding. The noise is
/// deterministic: drawn from an HMAC of the canonical query, the catalogue's content fingerprint and
/// the cell under a key derived from the site secret. Asking the same thing again gives the same
/// number, so repeating a query can never average the noise away; and the noise cannot be predicted
/// without the site secret.
/// </summary>
public sealed class CountReleaser(DisclosurePolicy policy, byte[] noiseKey)
{
    // Four draws per Count on every thread at once: keyed contexts kept per thread (see its remarks).
    private readonly PerThreadHmacSha256 _noiseMac = new(noiseKey);

    public DisclosurePolicy Policy { get; } = policy;

    /// <summary>The released form of <paramref name="trueCount"/>, and whether it differs from it.</summary>
    public (ReleasedCount Released, bool Modified) Release(long trueCount, string queryHash, ulong dataFingerprint, string cell)
    {
        // Below the threshold the value is never released, whatever the noise drew; above it, a noisy
        // value that falls below is withheld too, which blurs the boundary itself (9 against 10).
        var noisy = trueCount + Noise(queryHash, dataFingerprint, cell);
        if (trueCount < Policy.Threshold || noisy < Policy.Threshold)
        {
            return (new ReleasedCount { FewerThan = Policy.Threshold }, true);
        }

        var rounding = Math.Max(1, Policy.Rounding);
        var rounded = (long)Math.Round(noisy / rounding, MidpointRounding.AwayFromZero) * rounding;
        if (rounded < Policy.Threshold)
        {
            return (new ReleasedCount { FewerThan = Policy.Threshold }, true);
        }

        return (new ReleasedCount { Count = rounded }, rounded != trueCount);
    }

    /// <summary>A Laplace(0, 1/epsilon) draw, fixed by its inputs.</summary>
    internal double Noise(string queryHash, ulong dataFingerprint, string cell)
    {
        if (Policy.Epsilon <= 0)
        {
            return 0;
        }

        // The HMAC of the UTF-8 text "hash|fingerprint|cell", as ledgers and audits already assume:
        // formatted on the stack when it fits (Utf8.TryWrite encodes as Encoding.UTF8 does, lone
        // surrogates included), else as a string.
        Span<byte> mac = stackalloc byte[PerThreadHmacSha256.SizeInBytes];
        Span<byte> message = stackalloc byte[256];
        if (Utf8.TryWrite(message, $"{queryHash}|{dataFingerprint:x16}|{cell}", out var length))
        {
            _noiseMac.Compute(message[..length], mac);
        }
        else
        {
            _noiseMac.Compute(Encoding.UTF8.GetBytes($"{queryHash}|{dataFingerprint:x16}|{cell}"), mac);
        }

        // 53 random bits: a uniform u strictly inside (0, 1) (0.5 ulp off either end would round to 1).
        var bits = BinaryPrimitives.ReadUInt64BigEndian(mac) >> 11;
        var u = (bits + 1.0) / ((1UL << 53) + 1.0);
        var centred = u - 0.5;
        return -(1 / Policy.Epsilon) * Math.Sign(centred) * Math.Log(1 - (2 * Math.Abs(centred)));
    }
}
