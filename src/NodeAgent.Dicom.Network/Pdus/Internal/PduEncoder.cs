using System.Buffers.Binary;
using System.Text;

namespace NodeAgent.Dicom.Network.Pdus.Internal;

/// <summary>Encodes control PDUs (everything but P-DATA-TF, which the DIMSE layer streams itself).</summary>
internal static class PduEncoder
{
    public static byte[] Encode(Pdu pdu)
    {
        var body = new ByteWriter();
        switch (pdu)
        {
            case AssociateRequestPdu rq:
                AssociateHeader(body, rq.ProtocolVersion, rq.CalledAeTitle, rq.CallingAeTitle);
                Item(body, 0x10, Ascii(rq.ApplicationContextName));
                foreach (var pc in rq.PresentationContexts)
                {
                    var item = new ByteWriter();
                    item.Byte(pc.Id).Bytes([0, 0, 0]);
                    SubItem(item, 0x30, Ascii(pc.AbstractSyntax));
                    foreach (var ts in pc.TransferSyntaxes)
                    {
                        SubItem(item, 0x40, Ascii(ts));
                    }

                    Item(body, 0x20, item.ToArray());
                }

                Item(body, 0x50, UserInformation(rq.UserInformation));
                break;
            case AssociateAcceptPdu ac:
                AssociateHeader(body, ac.ProtocolVersion, ac.CalledAeTitle, ac.CallingAeTitle);
                Item(body, 0x10, Ascii(ac.ApplicationContextName));
                foreach (var pc in ac.PresentationContexts)
                {
                    var item = new ByteWriter();
                    item.Byte(pc.Id).Byte(0).Byte((byte)pc.Result).Byte(0);
                    SubItem(item, 0x40, Ascii(pc.TransferSyntax));
                    Item(body, 0x21, item.ToArray());
                }

                Item(body, 0x50, UserInformation(ac.UserInformation));
                break;
            case AssociateRejectPdu rj:
                body.Byte(0).Byte((byte)rj.Result).Byte((byte)rj.Source).Byte(rj.Reason);
                break;
            case ReleaseRequestPdu or ReleaseResponsePdu:
                body.Bytes([0, 0, 0, 0]);
                break;
            case AbortPdu abort:
                body.Bytes([0, 0]).Byte((byte)abort.Source).Byte((byte)abort.Reason);
                break;
            case DataTransferPdu data:
                foreach (var pdv in data.Values)
                {
                    body.UInt32((uint)(pdv.Data.Length + 2)).Byte(pdv.PresentationContextId)
                        .Byte((byte)((pdv.IsCommand ? 1 : 0) | (pdv.IsLastFragment ? 2 : 0))).Bytes(pdv.Data.Span);
                }

                break;
            default:
                throw new ArgumentException($"Cannot encode a {pdu.GetType().Name}.", nameof(pdu));
        }

        var bytes = body.ToArray();
        var result = new byte[6 + bytes.Length];
        result[0] = (byte)pdu.Type;
        BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(2), (uint)bytes.Length);
        bytes.CopyTo(result, 6);
        return result;
    }

    private static void AssociateHeader(ByteWriter body, ushort version, string called, string calling)
    {
        body.UInt16(version).Bytes([0, 0]).Bytes(AeTitle(called)).Bytes(AeTitle(calling)).Bytes(new byte[32]);
    }

    private static byte[] UserInformation(UserInformation info)
    {
        var w = new ByteWriter();
        var max = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(max, info.MaxPduLength);
        SubItem(w, 0x51, max);
        if (info.ImplementationClassUid is { } uid)
        {
            SubItem(w, 0x52, Ascii(uid));
        }

        if (info.MaxOperationsInvoked is { } invoked)
        {
            var ops = new byte[4];
            BinaryPrimitives.WriteUInt16BigEndian(ops, invoked);
            BinaryPrimitives.WriteUInt16BigEndian(ops.AsSpan(2), info.MaxOperationsPerformed ?? 1);
            SubItem(w, 0x53, ops);
        }

        foreach (var role in info.RoleSelections)
        {
            var item = new ByteWriter();
            var sop = Ascii(role.SopClassUid);
            item.UInt16((ushort)sop.Length).Bytes(sop).Byte(role.ScuRole ? (byte)1 : (byte)0).Byte(role.ScpRole ? (byte)1 : (byte)0);
            SubItem(w, 0x54, item.ToArray());
        }

        if (info.ImplementationVersionName is { } version)
        {
            SubItem(w, 0x55, Ascii(version));
        }

        foreach (var extended in info.ExtendedNegotiations)
        {
            var item = new ByteWriter();
            var sop = Ascii(extended.SopClassUid);
            item.UInt16((ushort)sop.Length).Bytes(sop).Bytes(extended.ServiceClassApplicationInformation.Span);
            SubItem(w, 0x56, item.ToArray());
        }

        if (info.UserIdentity is { } identity)
        {
            var item = new ByteWriter();
            item.Byte((byte)identity.IdentityType).Byte(identity.PositiveResponseRequested ? (byte)1 : (byte)0)
                .UInt16((ushort)identity.PrimaryField.Length).Bytes(identity.PrimaryField.Span)
                .UInt16((ushort)identity.SecondaryField.Length).Bytes(identity.SecondaryField.Span);
            SubItem(w, 0x58, item.ToArray());
        }

        if (info.UserIdentityServerResponse is { } response)
        {
            var item = new ByteWriter();
            item.UInt16((ushort)response.Length).Bytes(response.Span);
            SubItem(w, 0x59, item.ToArray());
        }

        return w.ToArray();
    }

    private static void Item(ByteWriter w, byte type, byte[] content)
    {
        if (content.Length > ushort.MaxValue)
        {
            throw new DicomNetworkException($"An association item of {content.Length} bytes exceeds the 64 KB a PDU item can hold.");
        }

        w.Byte(type).Byte(0).UInt16((ushort)content.Length).Bytes(content);
    }

    private static void SubItem(ByteWriter w, byte type, byte[] content) => Item(w, type, content);

    private static byte[] Ascii(string value) => Encoding.ASCII.GetBytes(value);

    private static byte[] AeTitle(string title)
    {
        var bytes = Enumerable.Repeat((byte)' ', 16).ToArray();
        Encoding.ASCII.GetBytes(title.AsSpan(0, Math.Min(16, title.Length)), bytes);
        return bytes;
    }

    /// <summary>A small growable big-endian writer for control PDUs (a few hundred bytes each).</summary>
    private sealed class ByteWriter
    {
        private readonly System.Buffers.ArrayBufferWriter<byte> _buffer = new(256);

        public ByteWriter Byte(byte value)
        {
            _buffer.GetSpan(1)[0] = value;
            _buffer.Advance(1);
            return this;
        }

        public ByteWriter Bytes(ReadOnlySpan<byte> value)
        {
            value.CopyTo(_buffer.GetSpan(value.Length));
            _buffer.Advance(value.Length);
            return this;
        }

        public ByteWriter UInt16(ushort value)
        {
            BinaryPrimitives.WriteUInt16BigEndian(_buffer.GetSpan(2), value);
            _buffer.Advance(2);
            return this;
        }

        public ByteWriter UInt32(uint value)
        {
            BinaryPrimitives.WriteUInt32BigEndian(_buffer.GetSpan(4), value);
            _buffer.Advance(4);
            return this;
        }

        public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
    }
}
