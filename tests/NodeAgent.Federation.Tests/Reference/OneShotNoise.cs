using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace NodeAgent.Federation.Tests.Reference;

/// <summary>
/// The noise as it was first derived, with the plain one-shot .NET API: ledgers and audit logs written
/// before any optimisation assume exactly these values, so the releaser must keep drawing them.
/// </summary>
internal static class OneShotNoise
{
    public static double Of(byte[] key, double epsilon, string queryHash, ulong dataFingerprint, string cell)
    {
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{queryHash}|{dataFingerprint:x16}|{cell}"));
        var bits = BinaryPrimitives.ReadUInt64BigEndian(mac) >> 11;
        var u = (bits + 1.0) / ((1UL << 53) + 1.0);
        var centred = u - 0.5;
        return -(1 / epsilon) * Math.Sign(centred) * Math.Log(1 - (2 * Math.Abs(centred)));
    }
}
