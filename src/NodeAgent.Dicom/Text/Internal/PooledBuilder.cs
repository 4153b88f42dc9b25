using System.Buffers;

namespace NodeAgent.Dicom.Text.Internal;

/// <summary>
/// A growable buffer rented from the shared pool: the character set encoder and decoder run
/// without allocating and only the exact-size result (bytes or string) is allocated.
/// </summary>
internal ref struct PooledBuilder<T>
    where T : unmanaged
{
    private T[] _buffer;
    private int _length;

    public PooledBuilder(int capacity)
    {
        _buffer = ArrayPool<T>.Shared.Rent(Math.Max(capacity, 16));
        _length = 0;
    }

    public readonly int Length => _length;

    public readonly ReadOnlySpan<T> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>Returns writable space for at least <paramref name="sizeHint"/> items; commit with <see cref="Advance"/>.</summary>
    public Span<T> GetSpan(int sizeHint)
    {
        if (_buffer.Length - _length < sizeHint)
        {
            Grow(sizeHint);
        }

        return _buffer.AsSpan(_length);
    }

    public void Advance(int count) => _length += count;

    public void Append(T value)
    {
        GetSpan(1)[0] = value;
        _length++;
    }

    public void Append(scoped ReadOnlySpan<T> values)
    {
        values.CopyTo(GetSpan(values.Length));
        _length += values.Length;
    }

    public readonly T[] ToArray() => _length == 0 ? [] : _buffer.AsSpan(0, _length).ToArray();

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<T>.Shared.Return(buffer);
        }
    }

    private void Grow(int sizeHint)
    {
        var larger = ArrayPool<T>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + sizeHint));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<T>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
