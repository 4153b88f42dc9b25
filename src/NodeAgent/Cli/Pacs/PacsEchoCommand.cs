using System.CommandLine;
using NodeAgent.Cli.Internal;
using NodeAgent.Dicom.Network.Client;

namespace NodeAgent.Cli.Pacs;

/// <summary><c>nodeagent pacs echo</c>: is the PACS there, and does it accept us?</summary>
internal static class PacsEchoCommand
{
    public static Command Build(TextWriter output, TextWriter error)
    {
        var connection = new PacsConnectionOptions();
        var command = new Command("echo", "C-ECHO: check that the PACS answers and accepts our AE title.");
        connection.AddTo(command);
        command.SetAction((result, ct) => CliFailure.RunAsync("pacs echo", error, async () =>
        {
            var options = connection.Read(result);
            var elapsed = await new DicomClient(options).EchoAsync(ct).ConfigureAwait(false);
            await output.WriteLineAsync($"C-ECHO to {options.Describe()} as {options.CallingAeTitle}: success ({elapsed.TotalMilliseconds:F1} ms)").ConfigureAwait(false);
            return 0;
        }));
        return command;
    }
}
