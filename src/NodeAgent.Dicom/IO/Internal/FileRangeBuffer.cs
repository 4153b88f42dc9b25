namespace NodeAgent.Dicom.IO.Internal;

/// <summary>A value that stays in its source file: read by position when written or asked for.</summary>
internal sealed class FileRangeBuffer(SharedFileHandle file, long offset, long length) : DicomBuffer
{
    public override long Length => length;

    public long FileOffset => offset;

    public SharedFileHandle File => file;

    public override int Read(long position, Span<byte> destination)
    {
        if (position == 0)
        {
            file.EnsureUnchanged();
        }

        var want = (int)Math.Min(destination.Length, Math.Max(0, length - position));
        return want == 0 ? 0 : RandomAccess.Read(file.Handle, destination[..want], offset + position);
    }

    public override ValueTask<int> ReadAsync(long position, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (position == 0)
        {
            file.EnsureUnchanged();
        }

        var want = (int)Math.Min(destination.Length, Math.Max(0, length - position));
        return want == 0 ? new ValueTask<int>(0) : RandomAccess.ReadAsync(file.Handle, destination[..want], offset + position, cancellationToken);
    }
}
