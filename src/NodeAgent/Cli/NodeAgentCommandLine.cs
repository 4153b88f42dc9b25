using System.CommandLine;
using NodeAgent.Cli.Dicom;
using NodeAgent.Cli.Pacs;

namespace NodeAgent.Cli;

/// <summary>The <c>nodeagent</c> command line: one binary, one verb per area.</summary>
public static class NodeAgentCommandLine
{
    public static RootCommand Build(TextWriter output, TextWriter error)
    {
        var root = new RootCommand("NodeAgent: the on-premise node of a federated cancer-imaging network.");
        root.Subcommands.Add(DicomCommands.Build(output, error));
        root.Subcommands.Add(PacsCommands.Build(output, error));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var root = Build(output, error);
        var configuration = new InvocationConfiguration { Output = output, Error = error };
        return await root.Parse(args).InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }
}
