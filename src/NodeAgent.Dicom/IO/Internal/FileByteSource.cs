namespace NodeAgent.Dicom.IO.Internal;

/// <summary>A file read with positional reads (pread): no seeking, thread-safe, and values can be referenced.</summary>
internal sealed class FileByteSource(SharedFileHandle file) : ByteSource
{
    private readonly long _length = file.OpenedLength;

    /// <summary>Set when a value references the file, so the handle must outlive the parse.</summary>
    public bool IsReferenced { get; private set; }

    public SharedFileHandle File => file;

    public override long? Length => _length;

    public override bool CanReference => true;

    public override int Read(long position, Span<byte> destination) => RandomAccess.Read(file.Handle, destination, position);

    public override ValueTask<int> ReadAsync(long position, Memory<byte> destination, CancellationToken cancellationToken) =>
        RandomAccess.ReadAsync(file.Handle, destination, position, cancellationToken);

    public override void Dispose()
    {
        file.Dispose();
        base.Dispose();
    }

    public override DicomBuffer Reference(long position, long length)
    {
        if (!IsReferenced)
        {
            file.NoteReferenced();
        }

        IsReferenced = true;
        return new FileRangeBuffer(file, position, length);
    }
}
