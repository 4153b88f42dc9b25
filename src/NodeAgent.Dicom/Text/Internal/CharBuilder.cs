using System.Buffers;
using System.Text;

namespace NodeAgent.Dicom.Text.Internal;

/// <summary>
/// Growable char buffer rented from the shared pool, so that decoding a value with escape sequences
/// allocates only the final string.
/// </summary>
internal ref struct CharBuilder
{
    private char[] _buffer;
    private int _length;

    public CharBuilder(int capacity)
    {
        _buffer = ArrayPool<char>.Shared.Rent(Math.Max(capacity, 16));
        _length = 0;
    }

    /// <summary>Returns writable space for at least <paramref name="sizeHint"/> chars; commit with <see cref="Advance"/>.</summary>
    public Span<char> GetSpan(int sizeHint)
    {
        if (_buffer.Length - _length < sizeHint)
        {
            Grow(sizeHint);
        }

        return _buffer.AsSpan(_length);
    }

    public void Advance(int count) => _length += count;

    public void Append(char value)
    {
        GetSpan(1)[0] = value;
        _length++;
    }

    /// <summary>Appends bytes as ISO 8859-1 characters: the lossless fallback for bytes no set claims.</summary>
    public void AppendLatin1(scoped ReadOnlySpan<byte> bytes)
    {
        var written = Encoding.Latin1.GetChars(bytes, GetSpan(bytes.Length));
        _length += written;
    }

    public override readonly string ToString() => new(_buffer, 0, _length);

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private void Grow(int sizeHint)
    {
        var larger = ArrayPool<char>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + sizeHint));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<char>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
