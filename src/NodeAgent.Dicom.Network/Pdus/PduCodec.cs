using System.Buffers.Binary;
using NodeAgent.Dicom.Network.Pdus.Internal;

namespace NodeAgent.Dicom.Network.Pdus;

/// <summary>Encodes and decodes whole PDUs (header included): for tests, fuzzing and scripted peers.</summary>
public static class PduCodec
{
    public static byte[] Encode(Pdu pdu)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        return PduEncoder.Encode(pdu);
    }

    /// <summary>Decodes one PDU; the buffer must hold exactly the header and the body it declares.</summary>
    public static Pdu Decode(ReadOnlyMemory<byte> pdu)
    {
        if (pdu.Length < 6)
        {
            throw new PduFormatException("A PDU is at least 6 bytes long.");
        }

        var span = pdu.Span;
        var length = BinaryPrimitives.ReadUInt32BigEndian(span[2..]);
        if (length != pdu.Length - 6)
        {
            throw new PduFormatException($"The PDU declares {length} bytes after its header, but {pdu.Length - 6} are there.");
        }

        return PduDecoder.Decode((PduType)span[0], pdu[6..]);
    }
}
