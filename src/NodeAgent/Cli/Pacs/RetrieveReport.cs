using NodeAgent.Dicom.Network.Client;
using NodeAgent.Dicom.Network.Dimse;
using NodeAgent.Dicom.Network.Storage;

namespace NodeAgent.Cli.Pacs;

/// <summary>The closing lines of get and move, and their exit code.</summary>
internal static class RetrieveReport
{
    /// <summary>Writes the outcome; <paramref name="destinationAeTitle"/> (a move's) names the PACS entry to check when files went elsewhere.</summary>
    public static async Task<int> WriteAsync(TextWriter output, TextWriter error, string verb, string peer, DicomRetrieveResult result, FolderStoreHandler handler, string? destinationAeTitle = null)
    {
        await output.WriteLineAsync($"{handler.Stored} files written to {handler.OutputDirectory}; {peer} reports {result.Completed} completed, {result.Failed} failed, {result.Warnings} with warnings ({DimseStatus.Describe(result.Status)}).").ConfigureAwait(false);
        var problem = Problem(result, handler, destinationAeTitle);
        if (problem is null)
        {
            return 0;
        }

        await error.WriteLineAsync($"nodeagent pacs {verb}: {problem}").ConfigureAwait(false);
        return 1;
    }

    private static string? Problem(DicomRetrieveResult result, FolderStoreHandler handler, string? destinationAeTitle)
    {
        if (!result.Succeeded)
        {
            return $"not everything arrived: {DimseStatus.Describe(result.Status)}{(result.ErrorComment is null ? "" : $" ({result.ErrorComment.Trim()})")}.";
        }

        if (result.Completed + result.Failed + result.Warnings == 0 && handler.Stored == 0)
        {
            return "nothing matched: the PACS has no instance with these UIDs (check --study-uid and --series-uid).";
        }

        var sent = result.Completed + result.Warnings;
        if (handler.Stored < sent)
        {
            return destinationAeTitle is null
                ? $"the PACS reports {sent} instances sent, but only {handler.Stored} arrived."
                : $"the PACS reports {sent} instances sent, but only {handler.Stored} arrived here: it sends to the host and port it has registered for {destinationAeTitle}; check that entry points to this machine and --listen-port.";
        }

        return null;
    }
}
