namespace NodeAgent.Dicom.IO.Internal;

/// <summary>A read-only seekable stream over a <see cref="DicomBuffer"/>.</summary>
internal sealed class DicomBufferStream(DicomBuffer buffer) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => buffer.Length;

    public override long Position
    {
        get => _position;
        set => _position = value is >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override int Read(byte[] array, int offset, int count) => Read(array.AsSpan(offset, count));

    public override int Read(Span<byte> destination)
    {
        if (_position >= buffer.Length || destination.IsEmpty)
        {
            return 0;
        }

        var want = (int)Math.Min(destination.Length, buffer.Length - _position);
        var read = buffer.Read(_position, destination[..want]);
        _position += read;
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (_position >= buffer.Length || destination.IsEmpty)
        {
            return 0;
        }

        var want = (int)Math.Min(destination.Length, buffer.Length - _position);
        var read = await buffer.ReadAsync(_position, destination[..want], cancellationToken).ConfigureAwait(false);
        _position += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] array, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(array.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => buffer.Length + offset,
        };
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] array, int offset, int count) => throw new NotSupportedException();
}
