using NodeAgent.Testing;

namespace NodeAgent.IntegrationTests.Peers;

/// <summary>dicom3tools' IOD validator. It cannot read deflated files, so those are inflated first with DCMTK's dcmconv.</summary>
public static class Dciodvfy
{
    public static int CountErrors(string path, string scratchDirectory)
    {
        var target = path;
        string? inflated = null;
        if (IsDeflated(path))
        {
            inflated = Path.Combine(scratchDirectory, $"inflated-{Guid.NewGuid():N}.dcm");
            var conversion = ExternalProcess.Run("dcmconv", ["+te", path, inflated]);
            if (conversion.ExitCode != 0)
            {
                throw new InvalidOperationException($"dcmconv could not inflate {Path.GetFileName(path)}: {conversion.StandardError}");
            }

            target = inflated;
        }

        try
        {
            var result = ExternalProcess.Run("dciodvfy", [target]);
            return (result.StandardOutput + "\n" + result.StandardError).Split('\n').Count(l => l.StartsWith("Error", StringComparison.Ordinal));
        }
        finally
        {
            if (inflated is not null)
            {
                File.Delete(inflated);
            }
        }
    }

    private static bool IsDeflated(string path)
    {
        using var file = NodeAgent.Dicom.DicomFile.Open(path, NodeAgent.Dicom.IO.DicomReadOptions.StopBeforePixelData with { StopBefore = _ => true });
        return file.TransferSyntax.IsDeflated;
    }
}
