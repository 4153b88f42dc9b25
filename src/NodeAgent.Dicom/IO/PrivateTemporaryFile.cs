namespace NodeAgent.Dicom.IO;

/// <summary>
/// Temporary files for data that may hold PHI (large values, received data sets): readable by this
/// user only, and gone when closed. On Unix the name is removed at once, so nothing is left behind
/// even if the process is killed; Windows deletes the file when its handle closes.
/// </summary>
public static class PrivateTemporaryFile
{
    /// <summary>Creates and opens a new file in <paramref name="directory"/> (the system's temporary folder when null).</summary>
    public static FileStream Create(string? directory, string prefix, FileShare share = FileShare.None)
    {
        var path = Path.Combine(directory ?? Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = share,
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
