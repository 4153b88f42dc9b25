using System.Buffers;
using System.Buffers.Binary;
using NodeAgent.Dicom.Network.Pdus.Internal;

namespace NodeAgent.Dicom.Network.Pdus;

/// <summary>
/// Reads PDUs from a connection. Lengths are checked before anything is allocated: a P-DATA-TF may
/// not exceed the maximum we announced, any other PDU 1 MB, so a hostile peer cannot make us
/// allocate what it declares. P-DATA values point into a pooled buffer reused by the next read.
/// </summary>
public sealed class PduReader : IDisposable
{
    /// <summary>Association PDUs (A-ASSOCIATE-RQ with many contexts, SAML identities) fit comfortably.</summary>
    public const int MaxControlPduLength = 1 << 20;

    private readonly Stream _stream;
    private readonly uint _maxDataPduLength;
    private readonly byte[] _header = new byte[6];
    private byte[] _body;

    public PduReader(Stream stream, uint maxDataPduLength)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        // 0 announces "no limit"; we still refuse absurd sizes.
        _maxDataPduLength = maxDataPduLength == 0 ? 64u << 20 : maxDataPduLength;
        _body = ArrayPool<byte>.Shared.Rent(16 * 1024);
    }

    /// <summary>Total bytes read, headers included (for metrics).</summary>
    public long BytesRead { get; private set; }

    /// <summary>Reads the next PDU; null when the peer closed the connection cleanly between PDUs.</summary>
    public async ValueTask<Pdu?> ReadAsync(CancellationToken cancellationToken)
    {
        if (!await FillAsync(_header, allowEndOfStream: true, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var type = _header[0];
        var length = BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(2));
        if (type is < 1 or > 7)
        {
            throw new PduFormatException($"Unknown PDU type 0x{type:X2}: the peer does not speak the DICOM upper layer protocol (TLS on one side only?).", AbortReason.UnrecognizedPdu);
        }

        var limit = type == (byte)PduType.DataTransfer ? _maxDataPduLength : MaxControlPduLength;
        if (length > limit)
        {
            throw new PduFormatException($"A {(PduType)type} PDU of {length} bytes exceeds the {limit} bytes allowed.", AbortReason.InvalidPduParameterValue);
        }

        if (_body.Length < length)
        {
            ArrayPool<byte>.Shared.Return(_body);
            _body = ArrayPool<byte>.Shared.Rent((int)length);
        }

        await FillAsync(_body.AsMemory(0, (int)length), allowEndOfStream: false, cancellationToken).ConfigureAwait(false);
        BytesRead += 6 + length;
        return PduDecoder.Decode((PduType)type, _body.AsMemory(0, (int)length));
    }

    public void Dispose()
    {
        var body = _body;
        _body = [];
        if (body.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(body);
        }
    }

    private async ValueTask<bool> FillAsync(Memory<byte> buffer, bool allowEndOfStream, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await _stream.ReadAsync(buffer[filled..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                if (allowEndOfStream && filled == 0)
                {
                    return false;
                }

                throw new DicomNetworkException("The peer closed the connection in the middle of a PDU.");
            }

            filled += read;
        }

        return true;
    }
}
