using NodeAgent.Dicom.Internal;
using NodeAgent.Dicom.IO;
using NodeAgent.Dicom.IO.Internal;

namespace NodeAgent.Dicom;

/// <summary>
/// A DICOM Part 10 file (or bare dataset): file meta information, dataset and the transfer syntax
/// it was encoded in. Large values stay in the source file until written or asked for, so keep the
/// <see cref="DicomFile"/> undisposed while you use them; dispose it to close the file.
/// </summary>
public sealed class DicomFile : IDisposable
{
    private readonly List<IDisposable> _resources;

    internal DicomFile(DicomDataset fileMetaInformation, DicomDataset dataset, DicomTransferSyntax transferSyntax, List<IDisposable> resources)
    {
        FileMetaInformation = fileMetaInformation;
        Dataset = dataset;
        TransferSyntax = transferSyntax;
        _resources = resources;
    }

    public DicomFile(DicomDataset dataset, DicomTransferSyntax transferSyntax)
        : this(new DicomDataset(), dataset, transferSyntax, [])
    {
    }

    /// <summary>Group 0002 as read (empty for a bare dataset). The writer regenerates it.</summary>
    public DicomDataset FileMetaInformation { get; }

    public DicomDataset Dataset { get; }

    /// <summary>The transfer syntax the dataset was read in (declared, or detected for a bare dataset).</summary>
    public DicomTransferSyntax TransferSyntax { get; }

    public static DicomFile Open(string path, DicomReadOptions? options = null) =>
        SyncCompletion.Result(OpenCoreAsync(path, options, async: false, CancellationToken.None));

    public static Task<DicomFile> OpenAsync(string path, DicomReadOptions? options = null, CancellationToken cancellationToken = default) =>
        OpenCoreAsync(path, options, async: true, cancellationToken).AsTask();

    /// <summary>Reads from a stream (left open); nothing is referenced lazily, large values are spooled.</summary>
    public static DicomFile Read(Stream stream, DicomReadOptions? options = null) =>
        SyncCompletion.Result(ReadCoreAsync(stream, options, null, async: false, CancellationToken.None));

    public static Task<DicomFile> ReadAsync(Stream stream, DicomReadOptions? options = null, CancellationToken cancellationToken = default) =>
        ReadCoreAsync(stream, options, null, async: true, cancellationToken).AsTask();

    /// <summary>Reads a bare dataset whose transfer syntax is known (e.g. negotiated on an association).</summary>
    public static DicomFile ReadDataset(Stream stream, DicomTransferSyntax transferSyntax, DicomReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(transferSyntax);
        return SyncCompletion.Result(ReadCoreAsync(stream, options, transferSyntax, async: false, CancellationToken.None));
    }

    /// <summary>Reads a bare dataset whose transfer syntax is known (e.g. negotiated on an association).</summary>
    public static Task<DicomFile> ReadDatasetAsync(Stream stream, DicomTransferSyntax transferSyntax, DicomReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transferSyntax);
        return ReadCoreAsync(stream, options, transferSyntax, async: true, cancellationToken).AsTask();
    }

    /// <summary>Writes to <paramref name="path"/> through a temporary name, renamed when complete: no half-written file is ever visible.</summary>
    public void Save(string path, DicomWriteOptions? options = null) =>
        SyncCompletion.Wait(SaveCoreAsync(path, options, async: false, CancellationToken.None));

    public Task SaveAsync(string path, DicomWriteOptions? options = null, CancellationToken cancellationToken = default) =>
        SaveCoreAsync(path, options, async: true, cancellationToken).AsTask();

    public void Write(Stream stream, DicomWriteOptions? options = null) =>
        SyncCompletion.Wait(DicomWriter.WriteFileAsync(stream, this, options ?? DicomWriteOptions.Default, async: false, CancellationToken.None));

    public Task WriteAsync(Stream stream, DicomWriteOptions? options = null, CancellationToken cancellationToken = default) =>
        DicomWriter.WriteFileAsync(stream, this, options ?? DicomWriteOptions.Default, async: true, cancellationToken).AsTask();

    public void Dispose()
    {
        foreach (var resource in _resources)
        {
            resource.Dispose();
        }

        _resources.Clear();
    }

    private static async ValueTask<DicomFile> OpenCoreAsync(string path, DicomReadOptions? options, bool async, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        // FileShare.Delete: others (and Save to the same path) may replace or remove the file while it is open.
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, async ? FileOptions.Asynchronous : FileOptions.None);
        FileByteSource source;
        try
        {
            source = new FileByteSource(new SharedFileHandle(handle, path));
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        return await Part10Reader.ReadAsync(source, options ?? DicomReadOptions.Default, null, async, ct).ConfigureAwait(false);
    }

    private static async ValueTask<DicomFile> ReadCoreAsync(Stream stream, DicomReadOptions? options, DicomTransferSyntax? known, bool async, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var source = new StreamByteSource(stream, 0, ownsStream: false);
        return await Part10Reader.ReadAsync(source, options ?? DicomReadOptions.Default, known, async, ct).ConfigureAwait(false);
    }

    private async ValueTask SaveCoreAsync(string path, DicomWriteOptions? options, bool async, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.partial");
        try
        {
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, async ? FileOptions.Asynchronous : FileOptions.None);
            try
            {
                options ??= DicomWriteOptions.Default;
                await DicomWriter.WriteFileAsync(stream, this, options, async, ct).ConfigureAwait(false);
                if (options.FlushToDisk)
                {
                    // Durable before it gets its name: after a power cut the name never points at a partial file.
                    stream.Flush(flushToDisk: true);
                }
            }
            finally
            {
                // The synchronous path must not touch DisposeAsync: it may complete on another thread.
                if (async)
                {
                    await stream.DisposeAsync().ConfigureAwait(false);
                }
                else
                {
                    stream.Dispose();
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
}
