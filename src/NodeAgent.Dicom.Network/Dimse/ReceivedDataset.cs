using NodeAgent.Dicom.IO;

namespace NodeAgent.Dicom.Network.Dimse;

/// <summary>
/// The data set of a received DIMSE message, kept as the bytes the peer sent in the negotiated
/// transfer syntax: in memory up to a threshold, then in a temporary file that only this process
/// can read and that is deleted on dispose (on Unix its name is removed at once, so even a killed
/// process leaves nothing behind).
/// </summary>
public sealed class ReceivedDataset : IDisposable
{
    private readonly long _memoryThreshold;
    private readonly string? _spoolDirectory;
    private MemoryStream? _memory = new();
    private FileStream? _file;

    public ReceivedDataset(DicomTransferSyntax transferSyntax, long memoryThreshold = 4 << 20, string? spoolDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(transferSyntax);
        TransferSyntax = transferSyntax;
        _memoryThreshold = memoryThreshold;
        _spoolDirectory = spoolDirectory;
    }

    public DicomTransferSyntax TransferSyntax { get; }

    public long Length { get; private set; }

    /// <summary>True once the data set outgrew memory and moved to a temporary file.</summary>
    public bool IsSpooled => _file is not null;

    public async ValueTask AppendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (_memory is not null && _memory.Length + bytes.Length > _memoryThreshold)
        {
            _file = CreateSpoolFile(_spoolDirectory);
            _memory.Position = 0;
            await _memory.CopyToAsync(_file, cancellationToken).ConfigureAwait(false);
            _memory = null;
        }

        if (_memory is not null)
        {
            _memory.Write(bytes.Span);
        }
        else
        {
            await _file!.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        }

        Length += bytes.Length;
    }

    /// <summary>A stream over the received bytes (a fresh one each time).</summary>
    public Stream OpenRead()
    {
        if (_memory is not null)
        {
            return new MemoryStream(_memory.GetBuffer(), 0, (int)_memory.Length, writable: false);
        }

        _file!.Flush();
        return new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(_file.SafeFileHandle.DangerousGetHandle(), ownsHandle: false), FileAccess.Read) { Position = 0 };
    }

    /// <summary>Parses the data set (values over the spool threshold of <paramref name="options"/> are spooled again).</summary>
    public DicomDataset ReadDataset(DicomReadOptions? options = null)
    {
        using var stream = OpenRead();
        using var file = DicomFile.ReadDataset(stream, TransferSyntax, options ?? DicomReadOptions.Default with { SpoolThreshold = long.MaxValue });
        return file.Dataset;
    }

    /// <summary>
    /// Writes the data set as a Part 10 file: a generated meta group, then the bytes exactly as the
    /// peer sent them. Written under a temporary name and renamed when complete.
    /// </summary>
    public async Task SaveAsync(string path, string sopClassUid, string sopInstanceUid, string? sourceAeTitle, bool flushToDisk, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.partial");
        try
        {
            var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
            await using (output.ConfigureAwait(false))
            {
                using (var header = new MemoryStream())
                {
                    DicomWriter.WriteFileHeader(header, sopClassUid, sopInstanceUid, TransferSyntax, sourceAeTitle);
                    await output.WriteAsync(header.GetBuffer().AsMemory(0, (int)header.Length), cancellationToken).ConfigureAwait(false);
                }

                var data = OpenRead();
                await using (data.ConfigureAwait(false))
                {
                    await data.CopyToAsync(output, 1 << 20, cancellationToken).ConfigureAwait(false);
                }

                if (flushToDisk)
                {
                    output.Flush(flushToDisk: true);
                }
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    public void Dispose()
    {
        _memory?.Dispose();
        _file?.Dispose();
    }

    private static FileStream CreateSpoolFile(string? directory)
    {
        var path = Path.Combine(directory ?? Path.GetTempPath(), $"nodeagent-dimse-{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.Read,
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

        return stream;
    }
}
