using System.Buffers.Binary;
using System.Text;

namespace NodeAgent.Dicom.Tests.Support;

/// <summary>Builds DICOM bytes by hand, to feed the reader exactly the encoding a test is about.</summary>
internal sealed class RawDicom
{
    public const uint Undefined = 0xFFFFFFFF;
    private readonly MemoryStream _bytes = new();

    public RawDicom(bool explicitVR = true, bool bigEndian = false)
    {
        ExplicitVR = explicitVR;
        BigEndian = bigEndian;
    }

    public bool ExplicitVR { get; set; }

    public bool BigEndian { get; set; }

    public long Length => _bytes.Length;

    /// <summary>Preamble, "DICM" and a file meta group declaring <paramref name="transferSyntaxUid"/>.</summary>
    public static RawDicom Part10(string transferSyntaxUid, bool explicitVR = true, bool bigEndian = false)
    {
        var raw = new RawDicom(explicitVR: true, bigEndian: false);
        raw.Bytes(new byte[128]).Bytes("DICM"u8.ToArray());
        var meta = new RawDicom();
        meta.Element(0x0002, 0x0001, "OB", [0, 1]);
        meta.Element(0x0002, 0x0010, "UI", Text(transferSyntaxUid, 0));
        raw.Element(0x0002, 0x0000, "UL", Le32((uint)meta.Length));
        raw.Bytes(meta.ToArray());
        raw.ExplicitVR = explicitVR;
        raw.BigEndian = bigEndian;
        return raw;
    }

    public RawDicom Element(ushort group, ushort element, string vr, byte[] value, uint? declaredLength = null)
    {
        Tag(group, element);
        var length = declaredLength ?? (uint)value.Length;
        if (ExplicitVR)
        {
            _bytes.Write(Encoding.ASCII.GetBytes(vr));
            if (vr is "OB" or "OD" or "OF" or "OL" or "OV" or "OW" or "SQ" or "SV" or "UC" or "UN" or "UR" or "UT" or "UV" || !IsKnown(vr))
            {
                _bytes.Write([0, 0]);
                U32(length);
            }
            else
            {
                U16((ushort)length);
            }
        }
        else
        {
            U32(length);
        }

        _bytes.Write(value);
        return this;
    }

    public RawDicom Text(ushort group, ushort element, string vr, string value) =>
        Element(group, element, vr, Text(value, vr == "UI" ? (byte)0 : (byte)' '));

    public RawDicom UShort(ushort group, ushort element, params ushort[] values)
    {
        var bytes = new byte[values.Length * 2];
        for (var i = 0; i < values.Length; i++)
        {
            if (BigEndian)
            {
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(i * 2), values[i]);
            }
            else
            {
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), values[i]);
            }
        }

        return Element(group, element, "US", bytes);
    }

    /// <summary>A sequence (or UN / OB) header with the given length; items follow.</summary>
    public RawDicom SequenceHeader(ushort group, ushort element, uint length = Undefined, string vr = "SQ") =>
        Element(group, element, vr, [], length);

    public RawDicom Item(uint length = Undefined) => Delimiter(0xE000, length);

    public RawDicom ItemEnd() => Delimiter(0xE00D, 0);

    public RawDicom SequenceEnd() => Delimiter(0xE0DD, 0);

    public RawDicom Bytes(byte[] bytes)
    {
        _bytes.Write(bytes);
        return this;
    }

    public byte[] ToArray() => _bytes.ToArray();

    public static byte[] Text(string value, byte pad)
    {
        var bytes = Encoding.ASCII.GetBytes(value);
        return bytes.Length % 2 == 0 ? bytes : [.. bytes, pad];
    }

    public static byte[] Le32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return bytes;
    }

    private static bool IsKnown(string vr) => DicomVRExtensions.TryParse(vr, out _);

    private RawDicom Delimiter(ushort element, uint length)
    {
        Tag(0xFFFE, element);
        U32(length);
        return this;
    }

    private void Tag(ushort group, ushort element)
    {
        U16(group);
        U16(element);
    }

    private void U16(ushort v)
    {
        Span<byte> b = stackalloc byte[2];
        if (BigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(b, v);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        }

        _bytes.Write(b);
    }

    private void U32(uint v)
    {
        Span<byte> b = stackalloc byte[4];
        if (BigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(b, v);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        }

        _bytes.Write(b);
    }
}
