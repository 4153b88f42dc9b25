using NodeAgent.Testing;

namespace NodeAgent.Benchmarks.Peers;

/// <summary>The <c>nodeagent</c> CLI as built alongside the benchmarks (same configuration), run with <c>dotnet</c>.</summary>
internal static class NodeAgentCli
{
    private static readonly Lazy<string> Assembly = new(Find);

    /// <summary><c>dotnet</c> arguments that start the CLI with <paramref name="arguments"/>.</summary>
    public static string[] Arguments(params string[] arguments) => [Assembly.Value, .. arguments];

    private static string Find()
    {
        // The benchmarks run from tests/NodeAgent.Benchmarks/bin/<Configuration>/<tfm>/.
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var path = Path.Combine(RepositoryPaths.RepositoryRoot, "src", "NodeAgent", "bin", tfm.Parent!.Name, tfm.Name, "nodeagent.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("The nodeagent CLI is not built; build the benchmarks project, which builds it first.", path);
    }
}
