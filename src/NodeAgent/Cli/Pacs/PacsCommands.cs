using System.CommandLine;

namespace NodeAgent.Cli.Pacs;

/// <summary><c>nodeagent pacs ...</c>: talk DICOM to the hospital PACS (DIMSE).</summary>
internal static class PacsCommands
{
    public static Command Build(TextWriter output, TextWriter error)
    {
        var pacs = new Command("pacs", "Talk to a PACS over DICOM networking: echo, find, get, move, store, listen.");
        pacs.Subcommands.Add(PacsEchoCommand.Build(output, error));
        pacs.Subcommands.Add(PacsFindCommand.Build(output, error));
        pacs.Subcommands.Add(PacsGetCommand.Build(output, error));
        pacs.Subcommands.Add(PacsMoveCommand.Build(output, error));
        pacs.Subcommands.Add(PacsStoreCommand.Build(output, error));
        pacs.Subcommands.Add(PacsListenCommand.Build(output, error));
        return pacs;
    }
}
