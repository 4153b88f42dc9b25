using System.Buffers.Binary;
using System.Text;

namespace NodeAgent.Dicom.Network.Pdus.Internal;

/// <summary>Reads a PDU body field by field; every read is bounds-checked into a <see cref="PduFormatException"/>.</summary>
internal ref struct BigEndianReader(ReadOnlySpan<byte> data, string what)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly int Remaining => _data.Length - _position;

    public readonly int Position => _position;

    public byte ReadByte()
    {
        Need(1);
        return _data[_position++];
    }

    public ushort ReadUInt16()
    {
        Need(2);
        var value = BinaryPrimitives.ReadUInt16BigEndian(_data[_position..]);
        _position += 2;
        return value;
    }

    public uint ReadUInt32()
    {
        Need(4);
        var value = BinaryPrimitives.ReadUInt32BigEndian(_data[_position..]);
        _position += 4;
        return value;
    }

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        Need(count);
        var bytes = _data.Slice(_position, count);
        _position += count;
        return bytes;
    }

    public void Skip(int count)
    {
        Need(count);
        _position += count;
    }

    /// <summary>An AE title field: 16 bytes, padding spaces (and NULs some stacks send) removed.</summary>
    public string ReadAeTitle() => Encoding.ASCII.GetString(ReadBytes(16)).Trim(' ', '\0');

    /// <summary>A UID or name field of <paramref name="length"/> bytes, without NUL or space padding.</summary>
    public string ReadAscii(int length) => Encoding.ASCII.GetString(ReadBytes(length)).TrimEnd('\0', ' ');

    private readonly void Need(int count)
    {
        if (count < 0 || _data.Length - _position < count)
        {
            throw new PduFormatException($"The {what} ends early: {count} more bytes were expected at offset {_position} of {_data.Length}.");
        }
    }
}
