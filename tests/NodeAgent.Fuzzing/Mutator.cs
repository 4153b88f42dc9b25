using System.Buffers.Binary;

namespace NodeAgent.Fuzzing;

/// <summary>
/// Structure-aware mutations of DICOM bytes: flips, interesting lengths at 4-byte boundaries
/// (0, odd, undefined, huge, just past the end), item and delimiter tags dropped in, VRs replaced,
/// chunks cut, repeated or removed, truncation.
/// </summary>
public sealed class Mutator(Random random)
{
    private static readonly uint[] InterestingLengths = [0, 1, 2, 3, 7, 8, 0x7F, 0xFF, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF];
    private static readonly byte[][] InterestingTags =
    [
        [0xFE, 0xFF, 0x00, 0xE0], [0xFE, 0xFF, 0x0D, 0xE0], [0xFE, 0xFF, 0xDD, 0xE0], [0xE0, 0x7F, 0x10, 0x00], [0x08, 0x00, 0x05, 0x00],
    ];

    private static readonly string[] VRs = ["SQ", "UN", "OB", "OW", "US", "AT", "PN", "LO", "UT", "UV", "ZZ", "\u0001\u0002"];

    public byte[] Mutate(byte[] input)
    {
        var data = input.ToList();
        var rounds = 1 + random.Next(4);
        for (var r = 0; r < rounds && data.Count > 0; r++)
        {
            var at = random.Next(data.Count);
            switch (random.Next(9))
            {
                case 0:
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    data[at] = (byte)random.Next(256);
                    break;
                case 2:
                    WriteUInt32(data, at & ~1, InterestingLengths[random.Next(InterestingLengths.Length)] is var l && l == 0x10000 ? (uint)(data.Count - at) : l);
                    break;
                case 3:
                    Overwrite(data, at & ~1, InterestingTags[random.Next(InterestingTags.Length)]);
                    break;
                case 4:
                    Overwrite(data, at, VRs[random.Next(VRs.Length)].Select(c => (byte)c).ToArray());
                    break;
                case 5:
                    data.RemoveRange(at, Math.Min(data.Count - at, 1 + random.Next(64)));
                    break;
                case 6:
                    var length = Math.Min(data.Count - at, 1 + random.Next(256));
                    data.InsertRange(random.Next(data.Count), data.GetRange(at, length));
                    break;
                case 7:
                    data.RemoveRange(at, data.Count - at);
                    break;
                default:
                    WriteUInt16(data, at & ~1, (ushort)random.Next(65536));
                    break;
            }
        }

        return [.. data];
    }

    private static void Overwrite(List<byte> data, int at, byte[] bytes)
    {
        for (var i = 0; i < bytes.Length && at + i < data.Count; i++)
        {
            data[at + i] = bytes[i];
        }
    }

    private static void WriteUInt32(List<byte> data, int at, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        Overwrite(data, at, b.ToArray());
    }

    private static void WriteUInt16(List<byte> data, int at, ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        Overwrite(data, at, b.ToArray());
    }
}
