using NodeAgent.Dicom.Network.Dimse;

namespace NodeAgent.Dicom.Network.Storage;

/// <summary>
/// Writes each received instance as a Part 10 file named after its SOP Instance UID, with the
/// data set exactly as the peer sent it. Files appear under their final name only when complete;
/// until then they are hidden <c>.partial</c> files, and those a killed process left behind are
/// removed when a handler opens the folder again.
/// </summary>
public sealed class FolderStoreHandler : IDicomStoreHandler
{
    private int _stored;

    public FolderStoreHandler(string directory, bool flushToDisk = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        OutputDirectory = Path.GetFullPath(directory);
        FlushToDisk = flushToDisk;
        RemoveAbandonedPartialFiles();
    }

    /// <summary>A partial file untouched this long belongs to no running transfer (the idle timeout is minutes).</summary>
    public static TimeSpan AbandonedAfter { get; } = TimeSpan.FromHours(1);

    public string OutputDirectory { get; }

    public bool FlushToDisk { get; }

    public int Stored => _stored;

    /// <summary>Raised after each file is in place (for progress display).</summary>
    public event Action<string>? InstanceStored;

    public async ValueTask<ushort> StoreAsync(DicomStoreRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!IsSafeFileName(request.SopInstanceUid))
        {
            // A UID is digits and dots; anything else could escape the folder.
            return DimseStatus.ProcessingFailure;
        }

        var path = Path.Combine(OutputDirectory, request.SopInstanceUid + ".dcm");
        await request.Dataset.SaveAsync(path, request.SopClassUid, request.SopInstanceUid, request.CallingAeTitle, FlushToDisk, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _stored);
        InstanceStored?.Invoke(path);
        return DimseStatus.Success;
    }

    private void RemoveAbandonedPartialFiles()
    {
        var cutoff = DateTime.UtcNow - AbandonedAfter;
        foreach (var partial in Directory.EnumerateFiles(OutputDirectory, ".*.partial"))
        {
            try
            {
                if (File.GetLastWriteTimeUtc(partial) < cutoff)
                {
                    File.Delete(partial);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another process may be finishing it; it is only disk space, the next start tries again.
            }
        }
    }

    private static bool IsSafeFileName(string uid) =>
        uid.Length is > 0 and <= 64 && uid.All(c => char.IsAsciiDigit(c) || c == '.');
}
