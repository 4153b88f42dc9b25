using Microsoft.Win32.SafeHandles;

namespace NodeAgent.Dicom.IO.Internal;

/// <summary>The open file behind lazily read values; closed when the owning <see cref="DicomFile"/> is disposed.</summary>
internal sealed class SharedFileHandle(SafeFileHandle handle, string path) : IDisposable
{
    private readonly long _openedLength = RandomAccess.GetLength(handle);
    private DateTime? _openedWriteTime;
    private volatile bool _disposed;

    public long OpenedLength => _openedLength;

    public SafeFileHandle Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return handle;
        }
    }

    public string Path { get; } = path;

    /// <summary>
    /// Values are read from the file long after it was parsed; if the file was changed in place
    /// since (same file, new size or time), its bytes no longer belong to the dataset that was read.
    /// </summary>
    public void EnsureUnchanged()
    {
        var h = Handle;
        if (RandomAccess.GetLength(h) != _openedLength || (_openedWriteTime is { } opened && File.GetLastWriteTimeUtc(h) != opened))
        {
            throw new DicomException("The file was modified after it was opened; its values can no longer be read. Open it again.");
        }
    }

    /// <summary>Records the modification time when a first value is left in the file (during the parse).</summary>
    public void NoteReferenced() => _openedWriteTime ??= File.GetLastWriteTimeUtc(Handle);

    public void Dispose()
    {
        _disposed = true;
        handle.Dispose();
    }
}
