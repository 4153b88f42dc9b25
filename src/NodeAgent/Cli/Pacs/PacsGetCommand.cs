using System.CommandLine;
using NodeAgent.Cli.Internal;
using NodeAgent.Dicom.Network.Client;
using NodeAgent.Dicom.Network.Storage;

namespace NodeAgent.Cli.Pacs;

/// <summary><c>nodeagent pacs get</c>: C-GET a study (or series) into a folder, over the one association.</summary>
internal static class PacsGetCommand
{
    public static Command Build(TextWriter output, TextWriter error)
    {
        var connection = new PacsConnectionOptions();
        var what = new RetrieveIdentifier();
        var command = new Command("get", "C-GET: fetch a study or series from the PACS into a folder.");
        connection.AddTo(command);
        what.AddTo(command);
        command.SetAction((result, ct) => CliFailure.RunAsync("pacs get", error, async () =>
        {
            var options = connection.Read(result);
            var handler = new FolderStoreHandler(result.GetValue(what.Output)!.FullName);
            var line = new ProgressLine(error);
            var progress = new SynchronousProgress<DicomRetrieveProgress>(p => line.Report($"{p.Completed} received, {p.Remaining} remaining, {p.Failed} failed"));
            var retrieved = await new DicomClient(options).GetAsync(what.Read(result), handler, progress, ct).ConfigureAwait(false);
            line.Done();
            return await RetrieveReport.WriteAsync(output, error, "get", options.Describe(), retrieved, handler).ConfigureAwait(false);
        }));
        return command;
    }
}
