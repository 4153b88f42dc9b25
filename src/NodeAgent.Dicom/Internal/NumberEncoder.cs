using System.Buffers.Binary;
using System.Numerics;

namespace NodeAgent.Dicom.Internal;

/// <summary>Encodes numbers as the little-endian bytes of a binary numeric VR.</summary>
internal static class NumberEncoder
{
    public static byte[] Encode<T>(DicomTag tag, DicomVR vr, T[] values)
        where T : INumber<T>
    {
        ArgumentNullException.ThrowIfNull(values);
        var size = vr is DicomVR.OB ? 1 : vr.ByteSwapUnit();
        if (!vr.IsBinaryNumber() && vr is not (DicomVR.OF or DicomVR.OD or DicomVR.OL or DicomVR.OV or DicomVR.OW))
        {
            throw new DicomException($"{tag}: VR {vr.Code()} does not hold binary numbers.");
        }

        var bytes = new byte[values.Length * size];
        for (var i = 0; i < values.Length; i++)
        {
            var span = bytes.AsSpan(i * size, size);
            var v = values[i];
            switch (vr)
            {
                case DicomVR.US or DicomVR.OW: BinaryPrimitives.WriteUInt16LittleEndian(span, ushort.CreateChecked(v)); break;
                case DicomVR.SS: BinaryPrimitives.WriteInt16LittleEndian(span, short.CreateChecked(v)); break;
                case DicomVR.UL or DicomVR.OL: BinaryPrimitives.WriteUInt32LittleEndian(span, uint.CreateChecked(v)); break;
                case DicomVR.SL: BinaryPrimitives.WriteInt32LittleEndian(span, int.CreateChecked(v)); break;
                case DicomVR.FL or DicomVR.OF: BinaryPrimitives.WriteSingleLittleEndian(span, float.CreateTruncating(v)); break;
                case DicomVR.FD or DicomVR.OD: BinaryPrimitives.WriteDoubleLittleEndian(span, double.CreateTruncating(v)); break;
                case DicomVR.SV: BinaryPrimitives.WriteInt64LittleEndian(span, long.CreateChecked(v)); break;
                case DicomVR.UV or DicomVR.OV: BinaryPrimitives.WriteUInt64LittleEndian(span, ulong.CreateChecked(v)); break;
                case DicomVR.AT:
                    var t = uint.CreateChecked(v);
                    BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)(t >> 16));
                    BinaryPrimitives.WriteUInt16LittleEndian(span[2..], (ushort)t);
                    break;
            }
        }

        return bytes;
    }
}
