using System.CommandLine;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using NodeAgent.Cli.Internal;
using NodeAgent.Dicom.Network.Client;
using NodeAgent.Dicom.Network.Server;
using NodeAgent.Dicom.Network.Storage;

namespace NodeAgent.Cli.Pacs;

/// <summary>
/// <c>nodeagent pacs move</c>: C-MOVE a study (or series) to ourselves. A listener is started on
/// --listen-port as --move-destination, which the PACS must know by that AE title, host and port.
/// </summary>
internal static class PacsMoveCommand
{
    public static Command Build(TextWriter output, TextWriter error)
    {
        var connection = new PacsConnectionOptions();
        var what = new RetrieveIdentifier();
        var listenPort = new Option<int>("--listen-port") { Description = "Port our storage listener takes for the moved files (the PACS's --port is the PACS's own).", DefaultValueFactory = _ => 11112 };
        var destination = new Option<string?>("--move-destination") { Description = "AE title the PACS sends to; our --calling-ae by default." };
        var bind = new Option<string>("--bind") { Description = "Address the listener binds to (0.0.0.0 for all).", DefaultValueFactory = _ => "0.0.0.0" };
        var command = new Command("move", "C-MOVE: have the PACS send a study or series to us; we receive it into a folder.") { listenPort, destination, bind };
        connection.AddTo(command);
        what.AddTo(command);
        command.SetAction((result, ct) => CliFailure.RunAsync("pacs move", error, async () =>
        {
            var options = connection.Read(result);
            var aeTitle = result.GetValue(destination) ?? options.CallingAeTitle;
            var handler = new FolderStoreHandler(result.GetValue(what.Output)!.FullName);
            var services = new ServiceCollection().AddSingleton<IDicomStoreHandler>(handler).BuildServiceProvider();
            await using (services.ConfigureAwait(false))
            {
                var server = new DicomServer(new DicomServerOptions { AeTitle = aeTitle, Port = result.GetValue(listenPort), BindAddress = IPAddress.Parse(result.GetValue(bind)!) }, services);
                await using (server.ConfigureAwait(false))
                {
                    server.Start();
                    var line = new ProgressLine(error);
                    var progress = new SynchronousProgress<DicomRetrieveProgress>(p => line.Report($"{p.Completed} sent by the PACS, {p.Remaining} remaining, {p.Failed} failed"));
                    var moved = await new DicomClient(options).MoveAsync(what.Read(result), aeTitle, progress, ct).ConfigureAwait(false);

                    // The PACS reports completion when it has sent the last instance; let our side finish writing.
                    await server.StopAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                    line.Done();
                    return await RetrieveReport.WriteAsync(output, error, "move", options.Describe(), moved, handler, aeTitle).ConfigureAwait(false);
                }
            }
        }));
        return command;
    }
}
