using Microsoft.Win32.SafeHandles;

namespace NodeAgent.Dicom.IO.Internal;

/// <summary>
/// A large value from a forward-only source, kept in a temporary file opened with DeleteOnClose:
/// the file disappears when the handle is closed, even if the process dies.
/// </summary>
internal sealed class SpoolBuffer : DicomBuffer, IDisposable
{
    private readonly FileStream _stream;
    private readonly SafeFileHandle _handle;
    private long _length;

    private SpoolBuffer(FileStream stream)
    {
        _stream = stream;
        _handle = stream.SafeFileHandle;
    }

    public override long Length => _length;

    /// <summary>
    /// Creates the spool file readable by this user only. On Unix its name is removed at once, so
    /// nothing is left behind even if the process is killed; Windows deletes it on close.
    /// </summary>
    public static SpoolBuffer Create(string? directory)
    {
        var path = Path.Combine(directory ?? Path.GetTempPath(), $"nodeagent-spool-{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            Options = FileOptions.DeleteOnClose,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var stream = new FileStream(path, options);
        if (!OperatingSystem.IsWindows())
        {
            File.Delete(path);
        }

        return new SpoolBuffer(stream);
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        RandomAccess.Write(_handle, data, _length);
        _length += data.Length;
    }

    public async ValueTask AppendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await RandomAccess.WriteAsync(_handle, data, _length, cancellationToken).ConfigureAwait(false);
        _length += data.Length;
    }

    public override int Read(long offset, Span<byte> destination)
    {
        var want = (int)Math.Min(destination.Length, Math.Max(0, _length - offset));
        return want == 0 ? 0 : RandomAccess.Read(_handle, destination[..want], offset);
    }

    public override ValueTask<int> ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        var want = (int)Math.Min(destination.Length, Math.Max(0, _length - offset));
        return want == 0 ? new ValueTask<int>(0) : RandomAccess.ReadAsync(_handle, destination[..want], offset, cancellationToken);
    }

    public void Dispose() => _stream.Dispose();
}
