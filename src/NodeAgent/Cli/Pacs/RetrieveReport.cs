using NodeAgent.Dicom.Network.Client;
using NodeAgent.Dicom.Network.Dimse;
using NodeAgent.Dicom.Network.Storage;

namespace NodeAgent.Cli.Pacs;

/// <summary>The closing lines of get and move, and their exit code.</summary>
internal static class RetrieveReport
{
    public static async Task<int> WriteAsync(TextWriter output, TextWriter error, string verb, string peer, DicomRetrieveResult result, FolderStoreHandler handler)
    {
        await output.WriteLineAsync($"{handler.Stored} files written to {handler.OutputDirectory}; {peer} reports {result.Completed} completed, {result.Failed} failed, {result.Warnings} with warnings ({DimseStatus.Describe(result.Status)}).").ConfigureAwait(false);
        if (!result.Succeeded)
        {
            await error.WriteLineAsync($"nodeagent pacs {verb}: not everything arrived: {DimseStatus.Describe(result.Status)}{(result.ErrorComment is null ? "" : $" ({result.ErrorComment.Trim()})")}.").ConfigureAwait(false);
            return 1;
        }

        return 0;
    }
}
