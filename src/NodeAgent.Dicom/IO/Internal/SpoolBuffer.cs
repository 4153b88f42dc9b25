using Microsoft.Win32.SafeHandles;

namespace NodeAgent.Dicom.IO.Internal;

/// <summary>
/// A large value from a forward-only source, kept in a private temporary file that disappears when
/// closed, even if the process dies.
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

    /// <summary>Creates the spool file: private to this user, never left behind (<see cref="PrivateTemporaryFile"/>).</summary>
    public static SpoolBuffer Create(string? directory) => new(PrivateTemporaryFile.Create(directory, "nodeagent-spool"));

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
