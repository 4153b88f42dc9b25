using System.CommandLine;
using NodeAgent.Dicom;
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
        var command = new Command("json", "Print each file's dataset as one line of DICOM JSON (JSON Lines).") { files };
        command.SetAction((parseResult, ct) => RunAsync(parseResult.GetValue(files) ?? [], output, error, ct));
        return command;
    }

    public static async Task<int> RunAsync(IReadOnlyList<string> paths, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var failed = 0;
        using var line = new MemoryStream();
        foreach (var path in paths)
        {
            cancellationToken.ThrowIfCancellationRequested();
            line.SetLength(0);
            try
            {
                using (var file = await DicomFile.OpenAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false))
                {
                    DicomJsonWriter.Write(line, file.Dataset);
                }

                line.WriteByte((byte)'\n');
                await WriteUtf8Async(output, line, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is DicomException or IOException or UnauthorizedAccessException)
            {
                failed++;
                await error.WriteLineAsync($"nodeagent dicom json: {path}: {Describe(ex)}").ConfigureAwait(false);
            }
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

    private static async Task WriteUtf8Async(TextWriter output, MemoryStream line, CancellationToken ct)
    {
        // Console.Out is a TextWriter; decode the UTF-8 line once and write it whole.
        var text = System.Text.Encoding.UTF8.GetString(line.GetBuffer(), 0, (int)line.Length);
        await output.WriteAsync(text.AsMemory(), ct).ConfigureAwait(false);
    }
}
