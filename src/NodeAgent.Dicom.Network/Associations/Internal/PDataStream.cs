using System.Buffers;
using System.Buffers.Binary;

namespace NodeAgent.Dicom.Network.Associations.Internal;

/// <summary>
/// A write-only stream that cuts a DIMSE command or data set into P-DATA-TF PDUs no larger than
/// the peer accepts, each with one PDV. The last PDV is only sent by <see cref="CompleteAsync"/>,
/// so it carries the "last fragment" bit and is never empty unless the whole value is.
/// </summary>
internal sealed class PDataStream : Stream
{
    private const int Header = 12;
    private readonly Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> _send;
    private readonly byte _contextId;
    private readonly bool _isCommand;
    private byte[] _buffer;
    private int _filled;

    public PDataStream(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> send, byte contextId, bool isCommand, uint peerMaxPduLength)
    {
        _send = send;
        _contextId = contextId;
        _isCommand = isCommand;

        // The peer's maximum bounds the PDU's variable part (PDV headers included); 0 means no limit,
        // where 256 KB keeps memory small and syscalls few.
        var pduBody = peerMaxPduLength is 0 or > 1 << 20 ? 256 * 1024 : (int)peerMaxPduLength;
        if (pduBody < 7)
        {
            throw new DicomNetworkException($"The peer announced a maximum PDU length of {peerMaxPduLength} bytes, too small to carry any data.");
        }

        _buffer = ArrayPool<byte>.Shared.Rent(pduBody + 6);
        Capacity = pduBody - 6;
    }

    /// <summary>Data bytes per PDU.</summary>
    public int Capacity { get; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        while (!data.IsEmpty)
        {
            if (_filled == Capacity)
            {
                // More data follows, so this full fragment is not the last one.
                await SendAsync(last: false, cancellationToken).ConfigureAwait(false);
            }

            var n = Math.Min(Capacity - _filled, data.Length);
            data.Span[..n].CopyTo(_buffer.AsSpan(Header + _filled));
            _filled += n;
            data = data[n..];
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Sends what is buffered as the last fragment.</summary>
    public ValueTask CompleteAsync(CancellationToken cancellationToken) => SendAsync(last: true, cancellationToken);

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        base.Dispose(disposing);
    }

    private async ValueTask SendAsync(bool last, CancellationToken cancellationToken)
    {
        var span = _buffer.AsSpan();
        span[0] = 0x04;
        span[1] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(span[2..], (uint)(_filled + 6));
        BinaryPrimitives.WriteUInt32BigEndian(span[6..], (uint)(_filled + 2));
        span[10] = _contextId;
        span[11] = (byte)((_isCommand ? 1 : 0) | (last ? 2 : 0));
        await _send(_buffer.AsMemory(0, Header + _filled), cancellationToken).ConfigureAwait(false);
        _filled = 0;
    }
}
