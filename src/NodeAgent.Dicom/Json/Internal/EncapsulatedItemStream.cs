using System.Buffers.Binary;
using NodeAgent.Dicom.IO.Internal;

namespace NodeAgent.Dicom.Json.Internal;

/// <summary>
/// Reads encapsulated pixel data back as its item stream as read (each item: FFFE,E000, length,
/// bytes), without loading fragments that live in the source file.
/// </summary>
internal sealed class EncapsulatedItemStream : ReadOnlyForwardStream
{
    private readonly List<DicomFragment> _items;
    private int _index;
    private long _offsetInItem = -8;
    private readonly byte[] _header = new byte[8];

    public EncapsulatedItemStream(DicomFragmentSequence fragments)
    {
        _items = [fragments.OffsetTable, .. fragments.Fragments];
        Length = fragments.ItemStreamLength;
    }

    public override long Length { get; }

    public override int Read(Span<byte> buffer)
    {
        var total = 0;
        while (!buffer.IsEmpty && _index < _items.Count)
        {
            var item = _items[_index];
            if (_offsetInItem < 0)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(_header, 0xE000FFFE);
                BinaryPrimitives.WriteUInt32LittleEndian(_header.AsSpan(4), (uint)item.Length);
                var start = (int)(8 + _offsetInItem);
                var n = Math.Min(buffer.Length, 8 - start);
                _header.AsSpan(start, n).CopyTo(buffer);
                _offsetInItem += n;
                buffer = buffer[n..];
                total += n;
                continue;
            }

            if (_offsetInItem >= item.Length)
            {
                _index++;
                _offsetInItem = -8;
                continue;
            }

            int read;
            if (item.ExternalBuffer is { } external)
            {
                read = external.Read(_offsetInItem, buffer[..(int)Math.Min(buffer.Length, item.Length - _offsetInItem)]);
            }
            else
            {
                var memory = item.InlineMemory.Span[(int)_offsetInItem..];
                read = Math.Min(buffer.Length, memory.Length);
                memory[..read].CopyTo(buffer);
            }

            _offsetInItem += read;
            buffer = buffer[read..];
            total += read;
        }

        return total;
    }
}
