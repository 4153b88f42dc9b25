namespace NodeAgent.Dicom.IO.Internal;

/// <summary>A forward-only stream of some already-buffered bytes followed by the rest of a source.</summary>
internal sealed class PrefixedSourceStream(ReadOnlyMemory<byte> prefix, ByteSource source, long sourcePosition) : ReadOnlyForwardStream
{
    private ReadOnlyMemory<byte> _prefix = prefix;
    private long _position = sourcePosition;

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

    private int TakePrefix(Span<byte> destination)
    {
        var n = Math.Min(destination.Length, _prefix.Length);
        _prefix.Span[..n].CopyTo(destination);
        _prefix = _prefix[n..];
        return n;
    }
}
