namespace NodeAgent.Service.Configuration;

/// <summary>
/// The configuration cannot be used: each problem names its key (as <c>NodeAgent:Sources:pacs:Port</c>)
/// and says what is expected, so that the service stops with a message IT can act on.
/// </summary>
public sealed class ConfigurationProblemException : Exception
{
    public ConfigurationProblemException(IReadOnlyList<string> problems, IReadOnlyList<string> files)
        : base(Describe(problems, files))
    {
        Problems = problems;
    }

    public ConfigurationProblemException()
    {
        Problems = [];
    }

    public ConfigurationProblemException(string message)
        : base(message)
    {
        Problems = [message];
    }

    public ConfigurationProblemException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [message];
    }

    public IReadOnlyList<string> Problems { get; }

    private static string Describe(IReadOnlyList<string> problems, IReadOnlyList<string> files) =>
        $"the configuration ({(files.Count == 0 ? "built-in defaults only" : string.Join(", ", files))}) has {problems.Count} problem{(problems.Count == 1 ? "" : "s")}:" +
        string.Concat(problems.Select(p => Environment.NewLine + "  " + p));
}
