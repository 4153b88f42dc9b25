namespace NodeAgent.Dicom.IO.Internal;

/// <summary>A forward-only stream (network, inflater, pipe). Positions only move forward.</summary>
internal sealed class StreamByteSource(Stream stream, long startPosition, bool ownsStream) : ByteSource
{
    private long _position = startPosition;

    public override long? Length => null;

    public override bool CanReference => false;

    public override int Read(long position, Span<byte> destination)
    {
        CheckPosition(position);
        var read = stream.Read(destination);
        _position += read;
        return read;
    }

    public override async ValueTask<int> ReadAsync(long position, Memory<byte> destination, CancellationToken cancellationToken)
    {
        CheckPosition(position);
        var read = await stream.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
        _position += read;
        return read;
    }

    public override void Dispose()
    {
        if (ownsStream)
        {
            stream.Dispose();
        }

        base.Dispose();
    }

    private void CheckPosition(long position)
    {
        if (position != _position)
        {
            throw new InvalidOperationException("A forward-only source was read out of order.");
        }
    }
}
