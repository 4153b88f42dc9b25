using NodeAgent.Cli;

namespace NodeAgent.Tests.Cli;

/// <summary>Runs a <c>nodeagent</c> command in this process and captures what it printed.</summary>
internal static class CommandRun
{
    /// <summary>A command that does not end within a minute fails the test (a configuration wrongly accepted would start the service, which runs until stopped).</summary>
    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var exit = await NodeAgentCommandLine.RunAsync(args, stdout, stderr, limit.Token);
        Assert.That(limit.IsCancellationRequested, Is.False, "the command ran until stopped");
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
