using System.Diagnostics;
using System.Globalization;

namespace NodeAgent.Benchmarks.Peers;

/// <summary>
/// <c>nodeagent run</c> in a process of its own (from <c>dotnet build</c>), started on a site file and
/// stopped with SIGTERM as systemd stops it; its memory and CPU time read from <c>/proc</c>.
/// </summary>
internal sealed class ServiceProcess : IDisposable
{
    private readonly Process _process;

    private ServiceProcess(Process process, double startSeconds)
    {
        _process = process;
        StartSeconds = startSeconds;
    }

    /// <summary>From the start of the process to the line it printed that it is ready.</summary>
    public double StartSeconds { get; }

    /// <summary>
    /// Starts the service and waits until its output has had a line containing each of
    /// <paramref name="readyLines"/>. <paramref name="cpus"/>, when given, pins it to those CPUs (<c>taskset</c>).
    /// </summary>
    public static ServiceProcess Start(string siteFile, string[] readyLines, string? cpus = null)
    {
        var arguments = NodeAgentCli.Arguments("run", "--config", siteFile);
        var info = new ProcessStartInfo(cpus is null ? "dotnet" : "taskset") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (cpus is not null)
        {
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(cpus);
            info.ArgumentList.Add("dotnet");
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var watch = Stopwatch.StartNew();
        var process = Process.Start(info) ?? throw new InvalidOperationException("nodeagent run did not start.");
        var ready = new TaskCompletionSource();
        var awaited = new HashSet<string>(readyLines, StringComparer.Ordinal);
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) =>
        {
            lock (awaited)
            {
                if (e.Data is { } line && awaited.RemoveWhere(l => line.Contains(l, StringComparison.Ordinal)) > 0 && awaited.Count == 0)
                {
                    ready.TrySetResult();
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                errors.Enqueue(line);
            }
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetResult(); // a node that stops at once fails below, not after the wait
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var service = new ServiceProcess(process, 0);
        if (!ready.Task.Wait(TimeSpan.FromMinutes(5)) || process.HasExited)
        {
            if (process.HasExited)
            {
                process.WaitForExit(); // the end of its output too, for the message below
            }

            service.Dispose();
            throw new InvalidOperationException($"nodeagent run did not print '{string.Join("', '", readyLines)}': {string.Join(" | ", errors)}");
        }

        return new ServiceProcess(process, watch.Elapsed.TotalSeconds);
    }

    /// <summary>Resident memory now and at its peak, in KB (<c>/proc/PID/status</c>).</summary>
    public (long RssKb, long PeakKb) Memory()
    {
        var status = File.ReadAllLines($"/proc/{_process.Id}/status");
        long Field(string name) => long.Parse(status.First(l => l.StartsWith(name, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return (Field("VmRSS:"), Field("VmHWM:"));
    }

    /// <summary>CPU time the process has used, user and system (<c>/proc/PID/stat</c>, in clock ticks of 10 ms).</summary>
    public TimeSpan CpuTime()
    {
        // Fields after the command name (which may hold spaces, inside parentheses): utime is the 14th
        // field of the line, stime the 15th.
        var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromMilliseconds(ticks * 10);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                term.WaitForExit();
            }

            if (!_process.WaitForExit(30_000))
            {
                _process.Kill();
            }
        }

        _process.Dispose();
    }
}
