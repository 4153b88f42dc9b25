using System.Buffers;

namespace NodeAgent.Dicom.IO.Internal;

/// <summary>A pooled output buffer over a stream; large values are copied into it in place and flushed in big writes.</summary>
internal sealed class WriteBuffer(Stream stream, int size) : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(size, 4096));
    private int _used;
    private long _flushed;

    public Stream Stream { get; private set; } = stream;

    public long Position => _flushed + _used;

    public int Free => _buffer.Length - _used;

    public int Capacity => _buffer.Length;

    public Span<byte> FreeSpan => _buffer.AsSpan(_used);

    public Memory<byte> FreeMemory => _buffer.AsMemory(_used);

    /// <summary>Makes room for <paramref name="count"/> bytes (at most the capacity), flushing if needed.</summary>
    public ValueTask EnsureAsync(int count, bool async, CancellationToken ct) =>
        Free >= count ? ValueTask.CompletedTask : FlushAsync(async, ct);

    public void Advance(int count) => _used += count;

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, bool async, CancellationToken ct)
    {
        while (!data.IsEmpty)
        {
            if (Free == 0)
            {
                await FlushAsync(async, ct).ConfigureAwait(false);
            }

            var n = Math.Min(Free, data.Length);
            data.Span[..n].CopyTo(FreeSpan);
            _used += n;
            data = data[n..];
        }
    }

    public async ValueTask FlushAsync(bool async, CancellationToken ct)
    {
        if (_used == 0)
        {
            return;
        }

        if (async)
        {
            await Stream.WriteAsync(_buffer.AsMemory(0, _used), ct).ConfigureAwait(false);
        }
        else
        {
            Stream.Write(_buffer, 0, _used);
        }

        _flushed += _used;
        _used = 0;
    }

    /// <summary>Accounts for bytes written to the stream directly (by a kernel copy), after a flush.</summary>
    public void Skip(long count) => _flushed += count;

    /// <summary>Continues on another stream (the deflater after the file meta group). Call after a flush.</summary>
    public void Redirect(Stream next) => Stream = next;

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
