using System.CommandLine;

namespace NodeAgent.Cli.Dicom;

/// <summary><c>nodeagent dicom ...</c>: look inside DICOM files.</summary>
internal static class DicomCommands
{
    public static Command Build(TextWriter output, TextWriter error)
    {
        var dicom = new Command("dicom", "Inspect DICOM files.");
        dicom.Subcommands.Add(DicomJsonCommand.Build(output, error));
        return dicom;
    }
}
