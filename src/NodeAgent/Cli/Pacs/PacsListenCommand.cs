using System.CommandLine;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodeAgent.Cli.Internal;
using NodeAgent.Dicom.Network.Server;
using NodeAgent.Dicom.Network.Storage;

namespace NodeAgent.Cli.Pacs;

/// <summary><c>nodeagent pacs listen</c>: a C-ECHO and C-STORE service provider writing what it receives into a folder, until Ctrl+C.</summary>
internal static class PacsListenCommand
{
    public static Command Build(TextWriter output, TextWriter error)
    {
        var port = new Option<int>("--port") { Description = "Port to listen on.", DefaultValueFactory = _ => 11112 };
        var aet = new Option<string>("--aet") { Description = "Our AE title; associations called otherwise are rejected.", DefaultValueFactory = _ => "NODEAGENT" };
        var outputDir = new Option<DirectoryInfo>("--output") { Description = "Folder for received files.", Required = true };
        var bind = new Option<string>("--bind") { Description = "Address to bind (0.0.0.0 for all, 127.0.0.1 for this machine only).", DefaultValueFactory = _ => "0.0.0.0" };
        var command = new Command("listen", "Receive DICOM files pushed by C-STORE (also answers C-ECHO), until Ctrl+C.") { port, aet, outputDir, bind };
        command.SetAction((result, ct) => CliFailure.RunAsync("pacs listen", error, async () =>
        {
            var handler = new FolderStoreHandler(result.GetValue(outputDir)!.FullName);
            handler.InstanceStored += path => output.WriteLine($"received {Path.GetFileName(path)}");
            var services = new ServiceCollection()
                .AddLogging(l => l.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning))
                .AddSingleton<IDicomStoreHandler>(handler)
                .BuildServiceProvider();
            await using (services.ConfigureAwait(false))
            {
                var options = new DicomServerOptions { AeTitle = result.GetValue(aet)!, Port = result.GetValue(port), BindAddress = IPAddress.Parse(result.GetValue(bind)!) };
                var server = new DicomServer(options, services, services.GetService<ILogger<DicomServer>>());
                await using (server.ConfigureAwait(false))
                {
                    server.Start();
                    await output.WriteLineAsync($"Listening on {options.BindAddress}:{server.Port} as {options.AeTitle}; files go to {handler.OutputDirectory}. Ctrl+C stops.").ConfigureAwait(false);
                    try
                    {
                        await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        // Ctrl+C: stop accepting, let running associations finish.
                    }

                    await server.StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                    await output.WriteLineAsync($"Stopped; {handler.Stored} files received.").ConfigureAwait(false);
                }
            }

            return 0;
        }));
        return command;
    }
}
