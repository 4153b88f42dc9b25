namespace NodeAgent.Dicom.Network.Dimse.Internal;

/// <summary>A read-only, forward-only stream over memory segments (the chunks of a received data set).</summary>
internal sealed class SegmentStream(IReadOnlyList<ReadOnlyMemory<byte>> segments) : Stream
{
    private int _segment;
    private int _offset;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => segments.Sum(s => (long)s.Length);

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var total = 0;
        while (!buffer.IsEmpty && _segment < segments.Count)
        {
            var current = segments[_segment].Span[_offset..];
            var n = Math.Min(current.Length, buffer.Length);
            current[..n].CopyTo(buffer);
            buffer = buffer[n..];
            total += n;
            _offset += n;
            if (_offset == segments[_segment].Length)
            {
                _segment++;
                _offset = 0;
            }
        }

        return total;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
