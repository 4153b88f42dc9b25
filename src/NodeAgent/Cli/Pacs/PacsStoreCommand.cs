using System.CommandLine;
using NodeAgent.Cli.Internal;
using NodeAgent.Dicom.Network.Client;

namespace NodeAgent.Cli.Pacs;

/// <summary><c>nodeagent pacs store FILE|DIR...</c>: C-STORE files (folders recursively) to the PACS.</summary>
internal static class PacsStoreCommand
{
    public static Command Build(TextWriter output, TextWriter error)
    {
        var connection = new PacsConnectionOptions();
        var paths = new Argument<string[]>("PATH") { Description = "DICOM files, or folders to send recursively.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("store", "C-STORE: send DICOM files to the PACS.") { paths };
        connection.AddTo(command);
        command.SetAction((result, ct) => CliFailure.RunAsync("pacs store", error, async () =>
        {
            var options = connection.Read(result);
            var files = Expand(result.GetValue(paths) ?? []);
            if (files.Count == 0)
            {
                await error.WriteLineAsync("nodeagent pacs store: no files to send (the folders given are empty).").ConfigureAwait(false);
                return 1;
            }

            var line = new ProgressLine(error);
            var done = 0;
            var stored = await new DicomClient(options).StoreAsync(files, new SynchronousProgress<DicomStoreOutcome>(o =>
            {
                line.Report($"{Interlocked.Increment(ref done)}/{files.Count} sent");
                if (!o.Succeeded)
                {
                    error.WriteLine($"nodeagent pacs store: {o.Source}: {o.Problem ?? "refused"}");
                }
            }), ct).ConfigureAwait(false);
            line.Done();
            await output.WriteLineAsync($"{stored.Succeeded} of {files.Count} files stored to {options.Describe()}, {stored.Failed} failed.").ConfigureAwait(false);
            return stored.Failed == 0 ? 0 : 1;
        }));
        return command;
    }

    private static List<string> Expand(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            }
            else
            {
                files.Add(path);
            }
        }

        return files;
    }
}
