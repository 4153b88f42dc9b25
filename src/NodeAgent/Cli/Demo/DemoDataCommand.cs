using System.CommandLine;
using NodeAgent.Cli.Internal;
using NodeAgent.Service.Internal;

namespace NodeAgent.Cli.Demo;

/// <summary><c>nodeagent demo-data DIR</c>: a small synthetic corpus (made-up patients) to try NodeAgent with.</summary>
internal static class DemoDataCommand
{
    public static Command Build(TextWriter output, TextWriter error)
    {
        var folder = new Argument<string>("DIR") { Description = "Where to write the files (created; must be empty or missing)." };
        var patients = new Option<int>("--patients") { Description = "How many made-up patients.", DefaultValueFactory = _ => 60 };
        var seed = new Option<int>("--seed") { Description = "The same seed writes the same corpus.", DefaultValueFactory = _ => 1 };
        var command = new Command("demo-data", "Write a small synthetic DICOM corpus (made-up patients, several modalities) to try NodeAgent with.") { folder, patients, seed };
        command.SetAction((parse, _) => CliFailure.RunAsync("demo-data", error, () =>
        {
            var path = Path.GetFullPath(parse.GetValue(folder)!);
            if (Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any())
            {
                error.WriteLine($"nodeagent demo-data: {path} is not empty; give a new folder.");
                return Task.FromResult(1);
            }

            var count = parse.GetValue(patients);
            if (count is < 1 or > 10_000)
            {
                error.WriteLine("nodeagent demo-data: --patients is 1 to 10000.");
                return Task.FromResult(1);
            }

            var files = DemoCorpus.Write(path, count, parse.GetValue(seed));
            output.WriteLine($"demo-data: {files} files of {count} made-up patients in {path}.");
            return Task.FromResult(0);
        }));
        return command;
    }
}
