using System.Globalization;

namespace NodeAgent.Testing.Peers;

/// <summary>
/// Fills a dcmqrscp storage area without a network: dcmqrscp answers queries from the area's
/// index.dat only, and DCMTK's dcmqridx is what registers files in it.
/// </summary>
public static class DcmqrscpStorageArea
{
    private const int FilesPerIndexRun = 100;

    /// <summary>
    /// Copies the files into the storage area (dcmqrscp may delete what it indexed, so never the
    /// originals) and registers the copies in its index.dat. The index records absolute paths, so the
    /// area works whatever dcmqrscp's working directory. Returns the copies' paths.
    /// </summary>
    public static IReadOnlyList<string> Import(string storageDirectory, IEnumerable<string> files)
    {
        var area = Path.GetFullPath(storageDirectory);
        Directory.CreateDirectory(area);
        var next = Directory.GetFiles(area, "*.dcm").Length;
        var copies = new List<string>();
        foreach (var file in files)
        {
            var copy = Path.Combine(area, $"I{next++.ToString("D6", CultureInfo.InvariantCulture)}.dcm");
            File.Copy(file, copy);
            copies.Add(copy);
        }

        foreach (var batch in copies.Chunk(FilesPerIndexRun))
        {
            var result = ExternalProcess.Run("dcmqridx", [area, .. batch], timeout: TimeSpan.FromMinutes(2));

            // dcmqridx only warns about a file it cannot register (and exits 0): that is a failure too.
            if (result.ExitCode != 0 || result.StandardError.Contains("W: ", StringComparison.Ordinal) || result.StandardError.Contains("E: ", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"dcmqridx could not index into {area} (exit {result.ExitCode}):\n{result.StandardError.Trim()}");
            }
        }

        return copies;
    }
}
