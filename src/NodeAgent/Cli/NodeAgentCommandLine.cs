using System.CommandLine;
using System.Runtime.InteropServices;
using NodeAgent.Cli.Audit;
using NodeAgent.Cli.Demo;
using NodeAgent.Cli.Dicom;
using NodeAgent.Cli.Hub;
using NodeAgent.Cli.Index;
using NodeAgent.Cli.Query;
using NodeAgent.Cli.Pacs;
using NodeAgent.Cli.Pseudonymisation;
using NodeAgent.Cli.Run;

namespace NodeAgent.Cli;

/// <summary>The <c>nodeagent</c> command line: one binary, one verb per area.</summary>
public static class NodeAgentCommandLine
{
    public static RootCommand Build(TextWriter output, TextWriter error)
    {
        var root = new RootCommand("NodeAgent: the on-premise node of a federated cancer-imaging network.");
        root.Subcommands.Add(DicomCommands.Build(output, error));
        root.Subcommands.Add(PacsCommands.Build(output, error));
        root.Subcommands.Add(PseudonymiseCommand.Build(output, error));
        root.Subcommands.Add(ProfileCommands.Build(output, error));
        root.Subcommands.Add(IndexCommand.Build(output, error));
        root.Subcommands.Add(QueryCommands.Build(output, error));
        root.Subcommands.Add(RunCommand.Build(output, error));
        root.Subcommands.Add(HubCommands.Build(output, error));
        root.Subcommands.Add(AuditCommands.Build(output, error));
        root.Subcommands.Add(DemoDataCommand.Build(output, error));
        root.Subcommands.Add(NodeAgent.Cli.Doctor.DoctorCommand.Build(output, error));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var root = Build(output, error);
        var configuration = new InvocationConfiguration { Output = output, Error = error };

        // SIGTERM (systemd stop, docker stop, kill) stops a command as Ctrl+C does: a listener finishes
        // the files it is receiving and says what it received, instead of dying mid-write.
        using var terminated = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            terminated.Cancel();
        });
        return await root.Parse(args).InvokeAsync(configuration, terminated.Token).ConfigureAwait(false);
    }
}
