namespace NodeAgent.Testing;

/// <summary>Where the repository and the shared peer tools are, wherever the tests run from.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>The repository root (the folder holding NodeAgent.sln).</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>The shared folder next to the repository (peers, corpus generator, standard's data); NODEAGENT_SHARED_DIR overrides.</summary>
    public static string SharedDirectory =>
        Environment.GetEnvironmentVariable("NODEAGENT_SHARED_DIR") is { Length: > 0 } overridden
            ? overridden
            : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));

    public static string ToolsDirectory => Path.Combine(SharedDirectory, "tools");

    public static string Tool(string name)
    {
        var path = Path.Combine(ToolsDirectory, name);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"The shared peer tool '{name}' is missing from {ToolsDirectory}; set NODEAGENT_SHARED_DIR to the shared folder.", path);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NodeAgent.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No NodeAgent.sln above {AppContext.BaseDirectory}.");
    }
}
