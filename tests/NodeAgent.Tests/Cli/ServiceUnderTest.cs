using System.Diagnostics;

namespace NodeAgent.Tests.Cli;

/// <summary><c>nodeagent run</c> as a process of its own, built beside the tests, with its output captured.</summary>
internal static class ServiceUnderTest
{
    public static Process Start(string site, out StringWriter output, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "nodeagent")) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        foreach (var argument in new[] { "run", "--config", site })
        {
            info.ArgumentList.Add(argument);
        }

        var service = Process.Start(info)!;
        var captured = new StringWriter();
        void Capture(object sender, DataReceivedEventArgs e)
        {
            lock (captured)
            {
                captured.WriteLine(e.Data);
            }
        }

        service.OutputDataReceived += Capture;
        service.ErrorDataReceived += Capture;
        service.BeginOutputReadLine();
        service.BeginErrorReadLine();
        output = captured;
        return service;
    }

    /// <summary>Waits until the captured output holds every one of <paramref name="lines"/>, or the service stops.</summary>
    public static async Task WaitForAsync(Process service, StringWriter output, TimeSpan timeout, params string[] lines)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout && !service.HasExited)
        {
            lock (output)
            {
                var text = output.ToString();
                if (lines.All(l => text.Contains(l, StringComparison.Ordinal)))
                {
                    return;
                }
            }

            await Task.Delay(100);
        }

        lock (output)
        {
            Assert.Fail($"nodeagent run did not print {string.Join(", ", lines)}:\n{output}");
        }
    }

    public static async Task KillIfRunningAsync(Process service)
    {
        if (!service.HasExited)
        {
            service.Kill(entireProcessTree: true);
            await service.WaitForExitAsync();
        }
    }
}
