using Microsoft.Win32.SafeHandles;

namespace NodeAgent.Dicom.IO.Internal;

/// <summary>The open file behind lazily read values; closed when the owning <see cref="DicomFile"/> is disposed.</summary>
internal sealed class SharedFileHandle(SafeFileHandle handle, string path) : IDisposable
{
    private volatile bool _disposed;

    public SafeFileHandle Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return handle;
        }
    }

    public string Path { get; } = path;

    public void Dispose()
    {
        _disposed = true;
        handle.Dispose();
    }
}
