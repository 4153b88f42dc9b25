using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace NodeAgent.Dicom.Internal;

/// <summary>Swaps the byte order of 2-, 4- or 8-byte units in place (for explicit VR big endian).</summary>
internal static class ByteSwapper
{
    public static void Swap(Span<byte> data, int unit)
    {
        switch (unit)
        {
            case 2:
                var shorts = MemoryMarshal.Cast<byte, ushort>(data[..(data.Length & ~1)]);
                BinaryPrimitives.ReverseEndianness(shorts, shorts);
                break;
            case 4:
                var ints = MemoryMarshal.Cast<byte, uint>(data[..(data.Length & ~3)]);
                BinaryPrimitives.ReverseEndianness(ints, ints);
                break;
            case 8:
                var longs = MemoryMarshal.Cast<byte, ulong>(data[..(data.Length & ~7)]);
                BinaryPrimitives.ReverseEndianness(longs, longs);
                break;
        }
    }
}
