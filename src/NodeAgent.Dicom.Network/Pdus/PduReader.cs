using System.Buffers;
using System.Buffers.Binary;
using NodeAgent.Dicom.Network.Pdus.Internal;

namespace NodeAgent.Dicom.Network.Pdus;

/// <summary>
/// Reads PDUs from a connection through a read-ahead buffer: one socket read usually brings several
/// PDUs, or a whole one. Lengths are checked before anything is allocated: a P-DATA-TF may not
/// exceed the maximum we announced, any other PDU 1 MB, so a hostile peer cannot make us allocate
/// what it declares. P-DATA values point into the buffer and stay valid until the next read.
/// </summary>
public sealed class PduReader : IDisposable
{
    /// <summary>Association PDUs (A-ASSOCIATE-RQ with many contexts, SAML identities) fit comfortably.</summary>
    public const int MaxControlPduLength = 1 << 20;

    private const int ReadAhead = 256 * 1024;
    private readonly Stream _stream;
    private readonly uint _maxDataPduLength;
    private byte[] _buffer;
    private int _start;
    private int _end;

    public PduReader(Stream stream, uint maxDataPduLength)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        // 0 announces "no limit"; we still refuse absurd sizes.
        _maxDataPduLength = maxDataPduLength == 0 ? 64u << 20 : maxDataPduLength;
        _buffer = ArrayPool<byte>.Shared.Rent(ReadAhead);
    }

    /// <summary>Total bytes read, headers included (for metrics).</summary>
    public long BytesRead { get; private set; }

    /// <summary>Reads the next PDU; null when the peer closed the connection cleanly between PDUs.</summary>
    public async ValueTask<Pdu?> ReadAsync(CancellationToken cancellationToken)
    {
        if (!await EnsureAsync(6, allowEndOfStream: true, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var type = _buffer[_start];
        var length = BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(_start + 2));
        if (type is < 1 or > 7)
        {
            throw new PduFormatException($"Unknown PDU type 0x{type:X2}: the peer does not speak the DICOM upper layer protocol (TLS on one side only?).", AbortReason.UnrecognizedPdu);
        }

        var limit = type == (byte)PduType.DataTransfer ? _maxDataPduLength : MaxControlPduLength;
        if (length > limit)
        {
            throw new PduFormatException($"A {(PduType)type} PDU of {length} bytes exceeds the {limit} bytes allowed.", AbortReason.InvalidPduParameterValue);
        }

        await EnsureAsync(6 + (int)length, allowEndOfStream: false, cancellationToken).ConfigureAwait(false);
        var body = _buffer.AsMemory(_start + 6, (int)length);
        _start += 6 + (int)length;
        BytesRead += 6 + length;
        return PduDecoder.Decode((PduType)type, body);
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Makes <paramref name="count"/> bytes available from <c>_start</c>, reading ahead as much as the socket has.</summary>
    private async ValueTask<bool> EnsureAsync(int count, bool allowEndOfStream, CancellationToken cancellationToken)
    {
        if (_end - _start >= count)
        {
            return true;
        }

        // The previous PDU's values may still be in use by the caller until this read: compact only now.
        if (_buffer.Length - _start < count)
        {
            var target = _buffer.Length >= count ? _buffer : ArrayPool<byte>.Shared.Rent(count);
            _buffer.AsSpan(_start, _end - _start).CopyTo(target);
            if (!ReferenceEquals(target, _buffer))
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = target;
            }

            _end -= _start;
            _start = 0;
        }

        while (_end - _start < count)
        {
            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                if (allowEndOfStream && _end == _start)
                {
                    return false;
                }

                throw new DicomNetworkException("The peer closed the connection in the middle of a PDU.");
            }

            _end += read;
        }

        return true;
    }
}
