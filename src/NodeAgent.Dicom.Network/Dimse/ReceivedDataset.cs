using System.Buffers;
using NodeAgent.Dicom.IO;
using NodeAgent.Dicom.Network.Dimse.Internal;

namespace NodeAgent.Dicom.Network.Dimse;

/// <summary>
/// The data set of a received DIMSE message, kept as the bytes the peer sent in the negotiated
/// transfer syntax: in pooled memory chunks up to a threshold, then in a temporary file that only
/// this process can read and that is deleted on dispose (on Unix its name is removed at once, so
/// even a killed process leaves nothing behind).
/// </summary>
public sealed class ReceivedDataset : IDisposable
{
    private const int ChunkSize = 64 * 1024;
    private readonly long _memoryThreshold;
    private readonly string? _spoolDirectory;
    private readonly List<byte[]> _chunks = [];
    private int _lastChunkUsed = ChunkSize;
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
        if (_file is null && Length + bytes.Length > _memoryThreshold)
        {
            _file = PrivateTemporaryFile.Create(_spoolDirectory, "nodeagent-dimse", FileShare.Read);
            foreach (var segment in Segments())
            {
                await _file.WriteAsync(segment, cancellationToken).ConfigureAwait(false);
            }

            ReturnChunks();
        }

        if (_file is not null)
        {
            await _file.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var span = bytes.Span;
            while (!span.IsEmpty)
            {
                if (_lastChunkUsed == ChunkSize)
                {
                    _chunks.Add(ArrayPool<byte>.Shared.Rent(ChunkSize));
                    _lastChunkUsed = 0;
                }

                var n = Math.Min(span.Length, ChunkSize - _lastChunkUsed);
                span[..n].CopyTo(_chunks[^1].AsSpan(_lastChunkUsed));
                _lastChunkUsed += n;
                span = span[n..];
            }
        }

        Length += bytes.Length;
    }

    /// <summary>A stream over the received bytes (a fresh one each time).</summary>
    public Stream OpenRead()
    {
        if (_file is null)
        {
            return new SegmentStream(Segments());
        }

        _file.Flush();
        return new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(_file.SafeFileHandle.DangerousGetHandle(), ownsHandle: false), FileAccess.Read) { Position = 0 };
    }

    /// <summary>Parses the data set.</summary>
    public DicomDataset ReadDataset(DicomReadOptions? options = null)
    {
        using var stream = OpenRead();
        using var file = DicomFile.ReadDataset(stream, TransferSyntax, options ?? DicomReadOptions.Default with { SpoolThreshold = long.MaxValue });
        return file.Dataset;
    }

    /// <summary>
    /// Writes the data set as a Part 10 file: a generated meta group, then the bytes exactly as the
    /// peer sent them. Written under a temporary name and renamed when complete; from memory this is
    /// one gathered write.
    /// </summary>
    public async Task SaveAsync(string path, string sopClassUid, string sopInstanceUid, string? sourceAeTitle, bool flushToDisk, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.partial");
        try
        {
            using var header = new MemoryStream(512);
            DicomWriter.WriteFileHeader(header, sopClassUid, sopInstanceUid, TransferSyntax, sourceAeTitle);
            using (var handle = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None, preallocationSize: header.Length + Length))
            {
                var headerBytes = header.GetBuffer().AsMemory(0, (int)header.Length);
                if (_file is null)
                {
                    RandomAccess.Write(handle, [headerBytes, .. Segments()], 0);
                }
                else
                {
                    RandomAccess.Write(handle, headerBytes.Span, 0);
                    await CopySpoolAsync(handle, header.Length, cancellationToken).ConfigureAwait(false);
                }

                if (flushToDisk)
                {
                    RandomAccess.FlushToDisk(handle);
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
        ReturnChunks();
        _file?.Dispose();
    }

    private List<ReadOnlyMemory<byte>> Segments()
    {
        var segments = new List<ReadOnlyMemory<byte>>(_chunks.Count);
        for (var i = 0; i < _chunks.Count; i++)
        {
            segments.Add(_chunks[i].AsMemory(0, i == _chunks.Count - 1 ? _lastChunkUsed : ChunkSize));
        }

        return segments;
    }

    private async Task CopySpoolAsync(Microsoft.Win32.SafeHandles.SafeFileHandle target, long offset, CancellationToken cancellationToken)
    {
        _file!.Flush();
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long copied = 0;
            while (copied < Length)
            {
                var read = await RandomAccess.ReadAsync(_file.SafeFileHandle, buffer, copied, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new IOException("The spooled data set ended early.");
                }

                RandomAccess.Write(target, buffer.AsSpan(0, read), offset + copied);
                copied += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void ReturnChunks()
    {
        foreach (var chunk in _chunks)
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        _chunks.Clear();
        _lastChunkUsed = ChunkSize;
    }
}
