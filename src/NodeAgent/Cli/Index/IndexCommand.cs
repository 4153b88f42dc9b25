using System.CommandLine;
using NodeAgent.Cli.Internal;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Sources;
using NodeAgent.Pseudonymisation.Keys;

namespace NodeAgent.Cli.Index;

/// <summary>
/// <c>nodeagent index --source folder:/PATH --db FILE</c>: a one-off sync of a source into the
/// catalogue, with a progress bar. Folder sources are indexed with header-only reads.
/// </summary>
internal static class IndexCommand
{
    public static Command Build(TextWriter output, TextWriter error)
    {
        var source = new Option<string>("--source") { Description = "What to index: folder:/PATH (DICOM files, DICOMDIR trees, storage folders).", Required = true };
        var db = new Option<string>("--db") { Description = "The catalogue file (LiteDB); created if missing.", Required = true };
        var name = new Option<string?>("--name") { Description = "The source's name in the catalogue (default: from its location)." };
        var secret = new Option<string?>("--secret") { Description = "The site secret (32+ random bytes, mode 600) that keys patient pseudonyms. Without it, a development secret beside the catalogue is used, with a warning." };
        var command = new Command("index", "Index a source into the site catalogue.") { source, db, name, secret };
        command.SetAction((parse, ct) => CliFailure.RunAsync("index", error, () => Task.FromResult(Run(parse.GetValue(source)!, parse.GetValue(db)!, parse.GetValue(name), parse.GetValue(secret), output, error, ct))));
        return command;
    }

    private static int Run(string sourceText, string dbPath, string? name, string? secretPath, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (!sourceText.StartsWith("folder:", StringComparison.OrdinalIgnoreCase))
        {
            var scheme = sourceText.Split(':')[0];
            error.WriteLine($"nodeagent index: source kind '{scheme}' is not supported by this version; use folder:/PATH (DIMSE and DICOMweb crawling come with a later version).");
            return 1;
        }

        var folder = sourceText["folder:".Length..];
        if (!Directory.Exists(folder))
        {
            error.WriteLine($"nodeagent index: the folder {folder} does not exist.");
            return 1;
        }

        var secret = SiteSecretArgument.Load(secretPath, Path.GetDirectoryName(Path.GetFullPath(dbPath))!, "index", "Patients are keyed differently from the site's catalogue: give the site secret with --secret for a real one.", error);
        using var catalogue = SiteCatalogue.Open(dbPath);
        var source = new FolderSource(name ?? "folder:" + Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)), folder, new PseudonymGenerator(secret));
        var line = new ProgressLine(error);
        var result = source.Sync(
            catalogue,
            new SynchronousProgress<(int Scanned, int Total)>(p => line.Report($"{p.Scanned}/{p.Total} files", force: p.Scanned == p.Total)),
            cancellationToken: cancellationToken);
        line.Done();
        output.WriteLine($"index: {source.Name}: {result.Files} files, {result.Series} series, {result.Instances} instances indexed; {result.Unreadable} unreadable, {result.NotInstances} not instances, {result.SeriesRemoved} series removed{(result.PruningSkipped ? " (series missing from the folder kept: the scan was not complete)" : "")}. Catalogue {catalogue.Path}: {catalogue.SeriesCount} series.");
        return 0;
    }
}
