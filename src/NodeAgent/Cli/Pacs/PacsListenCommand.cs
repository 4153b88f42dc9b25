using System.CommandLine;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodeAgent.Cli.Internal;
using NodeAgent.Dicom;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Sources;
using NodeAgent.Pseudonymisation.Keys;
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
        var index = new Option<string?>("--index") { Description = "Also index each received instance into this catalogue file as it arrives (queries see it within 50 arrivals, and at stop)." };
        var secret = new Option<string?>("--secret") { Description = "With --index: the site secret that keys patient pseudonyms (a development secret beside the catalogue otherwise)." };
        var command = new Command("listen", "Receive DICOM files pushed by C-STORE (also answers C-ECHO), until Ctrl+C.") { port, aet, outputDir, bind, index, secret };
        command.SetAction((result, ct) => CliFailure.RunAsync("pacs listen", error, async () =>
        {
            var handler = new FolderStoreHandler(result.GetValue(outputDir)!.FullName);
            using var catalogue = result.GetValue(index) is { } db ? SiteCatalogue.Open(db) : null;
            var arrivals = catalogue is null ? null : new StoreArrivals(
                "store:" + result.GetValue(aet),
                catalogue,
                new PseudonymGenerator(SiteSecretArgument.Load(result.GetValue(secret), Path.GetDirectoryName(catalogue.Path)!, "pacs listen", "Patients are keyed differently from the site's catalogue: give the site secret with --secret.", error)));
            handler.InstanceStored += path =>
            {
                output.WriteLine($"received {Path.GetFileName(path)}");
                // The file is stored; only its entry in the catalogue is missing (a folder index finds it later).
                if (arrivals?.TryIndex(path) is { } problem)
                {
                    error.WriteLine($"nodeagent pacs listen: {Path.GetFileName(path)} was stored but not indexed: {problem}");
                }
            };
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
                    arrivals?.Flush();
                    await output.WriteLineAsync($"Stopped; {handler.Stored} files received{(arrivals is null ? "" : $", {arrivals.Indexed} newly indexed")}.").ConfigureAwait(false);
                }
            }

            return 0;
        }));
        return command;
    }
}
