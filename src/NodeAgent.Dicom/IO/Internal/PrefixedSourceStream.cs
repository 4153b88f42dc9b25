namespace NodeAgent.Dicom.IO.Internal;

/// <summary>A forward-only stream of some already-buffered bytes followed by the rest of a source.</summary>
internal sealed class PrefixedSourceStream(ReadOnlyMemory<byte> prefix, ByteSource source, long sourcePosition) : Stream
{
    private ReadOnlyMemory<byte> _prefix = prefix;
    private long _position = sourcePosition;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (!_prefix.IsEmpty)
        {
            return TakePrefix(buffer);
        }

        var read = source.Read(_position, buffer);
        _position += read;
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_prefix.IsEmpty)
        {
            return TakePrefix(buffer.Span);
        }

        var read = await source.ReadAsync(_position, buffer, cancellationToken).ConfigureAwait(false);
        _position += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int TakePrefix(Span<byte> destination)
    {
        var n = Math.Min(destination.Length, _prefix.Length);
        _prefix.Span[..n].CopyTo(destination);
        _prefix = _prefix[n..];
        return n;
    }
}
