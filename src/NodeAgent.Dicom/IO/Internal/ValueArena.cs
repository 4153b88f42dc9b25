namespace NodeAgent.Dicom.IO.Internal;

/// <summary>
/// Small values of one parse share a few larger arrays instead of one array each: a CT header has
/// about a hundred short values, and one allocation for all of them keeps the header scan cheap.
/// </summary>
internal sealed class ValueArena
{
    private const int FirstChunkSize = 512;
    private const int MaxChunkSize = 8192;
    private const int MaxPooledValue = 512;
    private byte[] _chunk = [];
    private int _used;

    public Memory<byte> Allocate(int length)
    {
        if (length > MaxPooledValue)
        {
            return GC.AllocateUninitializedArray<byte>(length);
        }

        if (_chunk.Length - _used < length)
        {
            // Chunks double from small: a filtered header scan keeps a few hundred bytes, a full header several KB.
            var size = Math.Clamp(_chunk.Length * 2, FirstChunkSize, MaxChunkSize);
            _chunk = GC.AllocateUninitializedArray<byte>(Math.Max(size, length));
            _used = 0;
        }

        var memory = _chunk.AsMemory(_used, length);
        _used += length;
        return memory;
    }
}
