using NodeAgent.Dicom.IO.Internal;

namespace NodeAgent.Dicom.Tests.Support;

/// <summary>Wraps bytes as a non-seekable stream that hands out few bytes per read, like a network socket.</summary>
internal sealed class ForwardOnlyStream(byte[] data, int maxChunk = 7) : ReadOnlyForwardStream
{
    private int _position;

    public override int Read(Span<byte> buffer)
    {
        var n = Math.Min(Math.Min(buffer.Length, maxChunk), data.Length - _position);
        data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }
}
