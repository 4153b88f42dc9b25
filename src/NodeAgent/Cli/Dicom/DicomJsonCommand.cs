using System.CommandLine;
using NodeAgent.Dicom;
using NodeAgent.Dicom.IO;
using NodeAgent.Cli.Internal;
using NodeAgent.Dicom.Json;

namespace NodeAgent.Cli.Dicom;

/// <summary>
/// <c>nodeagent dicom json FILE...</c>: each file's dataset (without group 0002) as one line of
/// DICOM JSON (PS3.18 Annex F), in argument order. A file that cannot be read gets one line on
/// stderr and makes the exit code 1; the other files are still printed.
/// </summary>
internal static class DicomJsonCommand
{
    public static Command Build(TextWriter output, TextWriter error)
    {
        var files = new Argument<string[]>("FILE")
        {
            Description = "DICOM files (Part 10, or bare datasets).",
            Arity = ArgumentArity.OneOrMore,
        };
        var allowTruncated = new Option<bool>("--allow-truncated")
        {
            Description = "Also read files that end between two elements of a sequence whose declared length runs past the end of the file (as DCMTK does).",
        };
        var command = new Command("json", "Print each file's dataset as one line of DICOM JSON (JSON Lines).") { files, allowTruncated };
        command.SetAction((parseResult, ct) =>
        {
            var options = new DicomReadOptions { AllowTruncatedContainers = parseResult.GetValue(allowTruncated) };
            return RunAsync(parseResult.GetValue(files) ?? [], options, output, error, ct);
        });
        return command;
    }

    public static async Task<int> RunAsync(IReadOnlyList<string> paths, DicomReadOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var failed = 0;
        using var stream = new TextWriterStream(output);
        foreach (var path in paths)
        {
            cancellationToken.ThrowIfCancellationRequested();
            DicomFile file;
            try
            {
                file = await DicomFile.OpenAsync(path, options, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is DicomException or IOException or UnauthorizedAccessException)
            {
                failed++;
                await error.WriteLineAsync($"nodeagent dicom json: {path}: {Describe(ex)}").ConfigureAwait(false);
                continue;
            }

            // The file parsed; its line is written as it is encoded, so a multi-gigabyte value streams through.
            using (file)
            {
                try
                {
                    DicomJsonWriter.Write(stream, file.Dataset);
                }
                catch (Exception ex) when (ex is DicomException or IOException)
                {
                    // A value could not be read back (the file changed or vanished): end the line, say so.
                    failed++;
                    await output.WriteAsync('\n').ConfigureAwait(false);
                    await error.WriteLineAsync($"nodeagent dicom json: {path}: {Describe(ex)} Its output line is incomplete.").ConfigureAwait(false);
                    continue;
                }
            }

            await output.WriteAsync('\n').ConfigureAwait(false);
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return failed == 0 ? 0 : 1;
    }

    private static string Describe(Exception ex) => ex switch
    {
        FileNotFoundException => "no such file.",
        DirectoryNotFoundException => "no such directory.",
        UnauthorizedAccessException => "permission denied.",
        _ => ex.Message,
    };
}
