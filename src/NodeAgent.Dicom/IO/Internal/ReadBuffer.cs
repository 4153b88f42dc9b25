using System.Buffers;

namespace NodeAgent.Dicom.IO.Internal;

/// <summary>
/// A pooled, span-based read buffer over a <see cref="ByteSource"/> with <c>TryEnsure(n)</c>: the
/// parser works on spans and only awaits when the buffer must be refilled, so a file whose header
/// is already buffered is parsed synchronously with no allocation. One code path serves sync and
/// async callers (the <c>async</c> flag), as in Npgsql's read buffer.
/// </summary>
internal sealed class ReadBuffer : IDisposable
{
    private byte[] _buffer;
    private int _start;
    private int _end;

    // Absolute source position of _buffer[0].
    private long _origin;

    public ReadBuffer(ByteSource source, int size, long startPosition = 0)
    {
        Source = source;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(size, 256));
        _origin = startPosition;
    }

    public ByteSource Source { get; }

    public long Position => _origin + _start;

    public int Available => _end - _start;

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(_start, _end - _start);

    /// <summary>Bytes left in the source after the current position, when its length is known.</summary>
    public long? Remaining => Source.Length is { } length ? length - Position : null;

    public ValueTask<bool> TryEnsureAsync(int count, bool async, CancellationToken cancellationToken) =>
        _end - _start >= count ? new ValueTask<bool>(true) : FillAsync(count, async, cancellationToken);

    public void Advance(int count) => _start += count;

    /// <summary>The buffered bytes from the current position (for handing over to an inflater).</summary>
    public ReadOnlyMemory<byte> TakeBuffered()
    {
        var copy = _buffer.AsSpan(_start, _end - _start).ToArray();
        _origin += _end;
        _start = _end = 0;
        return copy;
    }

    /// <summary>Skips <paramref name="count"/> bytes; a positional source just moves, a stream is drained.</summary>
    public async ValueTask SkipAsync(long count, bool async, CancellationToken cancellationToken)
    {
        if (count <= Available)
        {
            _start += (int)count;
            return;
        }

        count -= Available;
        _origin += _end;
        _start = _end = 0;
        if (Source.CanReference)
        {
            _origin += count;
            return;
        }

        while (count > 0)
        {
            var read = await Source.ReadAsync(_origin, _buffer.AsMemory(0, (int)Math.Min(count, _buffer.Length)), async, cancellationToken).ConfigureAwait(false);
            if (read <= 0)
            {
                throw new EndOfStreamException();
            }

            _origin += read;
            count -= read;
        }
    }

    /// <summary>Fills <paramref name="destination"/> completely; large reads bypass the buffer.</summary>
    public async ValueTask ReadExactAsync(Memory<byte> destination, bool async, CancellationToken cancellationToken)
    {
        var fromBuffer = Math.Min(destination.Length, Available);
        _buffer.AsSpan(_start, fromBuffer).CopyTo(destination.Span);
        _start += fromBuffer;
        destination = destination[fromBuffer..];
        if (destination.IsEmpty)
        {
            return;
        }

        if (destination.Length < _buffer.Length / 2)
        {
            if (!await FillAsync(destination.Length, async, cancellationToken).ConfigureAwait(false))
            {
                throw new EndOfStreamException();
            }

            _buffer.AsSpan(_start, destination.Length).CopyTo(destination.Span);
            _start += destination.Length;
            return;
        }

        _origin += _end;
        _start = _end = 0;
        while (!destination.IsEmpty)
        {
            var read = await Source.ReadAsync(_origin, destination, async, cancellationToken).ConfigureAwait(false);
            if (read <= 0)
            {
                throw new EndOfStreamException();
            }

            _origin += read;
            destination = destination[read..];
        }
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

    private async ValueTask<bool> FillAsync(int count, bool async, CancellationToken cancellationToken)
    {
        if (count > _buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(count);
            _buffer.AsSpan(_start, _end - _start).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
            _origin += _start;
            _end -= _start;
            _start = 0;
        }
        else if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _origin += _start;
            _end -= _start;
            _start = 0;
        }

        while (_end - _start < count)
        {
            var read = await Source.ReadAsync(_origin + _end, _buffer.AsMemory(_end), async, cancellationToken).ConfigureAwait(false);
            if (read <= 0)
            {
                return false;
            }

            _end += read;
        }

        return true;
    }
}
