using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace NodeAgent.Testing.Peers;

/// <summary>
/// A DCMTK server (storescp, dcmqrscp, ...) started through shared/tools/loopback-exec.sh so that it
/// listens on 127.0.0.1 only, on a free port chosen here. Dispose kills it with all its children.
/// </summary>
public sealed class DcmtkListener : IAsyncDisposable
{
    private const int StartAttempts = 5;
    private static readonly TimeSpan DefaultReadyTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);

    private readonly CapturedOutput _output;
    private int _disposed;

    private DcmtkListener(string tool, string aeTitle, int port, Process process, CapturedOutput output)
    {
        Tool = tool;
        AeTitle = aeTitle;
        Port = port;
        Process = process;
        Pid = process.Id;
        _output = output;
    }

    /// <summary>The DCMTK program, e.g. "storescp".</summary>
    public string Tool { get; }

    public string AeTitle { get; }

    public int Port { get; }

    /// <summary>The DCMTK process itself (loopback-exec.sh execs it, so there is no wrapper shell).</summary>
    public Process Process { get; }

    /// <summary>The process ID, still readable after dispose.</summary>
    public int Pid { get; }

    /// <summary>The listener as a peer to associate with.</summary>
    public LoopbackPeer Peer => new(AeTitle, Port);

    /// <summary>Everything it printed so far (DCMTK logs to stderr; add -v or -d to the arguments for more).</summary>
    public string Output => _output.Text;

    /// <summary>
    /// storescp writing every received object into <paramref name="outputDirectory"/> (created if
    /// missing) as-is, accepting every transfer syntax it knows (+xa) and unknown SOP classes (-pm),
    /// so a C-STORE is never refused for a proposal reason.
    /// </summary>
    public static Task<DcmtkListener> StartStoreScpAsync(string aeTitle, string outputDirectory, IEnumerable<string>? extraArguments = null, CancellationToken cancellationToken = default)
    {
        outputDirectory = Path.GetFullPath(outputDirectory);
        Directory.CreateDirectory(outputDirectory);
        var extra = extraArguments?.ToArray() ?? [];
        return StartAsync(
            "storescp",
            aeTitle,
            port => ["--aetitle", aeTitle, "--output-directory", outputDirectory, "+xa", "--promiscuous", .. extra, port.ToString(CultureInfo.InvariantCulture)],
            cancellationToken: cancellationToken);
    }

    /// <summary>
    /// dcmqrscp serving the storage areas of <paramref name="configFile"/> (see <see cref="DcmqrscpConfiguration"/>);
    /// <paramref name="aeTitle"/> is the area's AE title to call. The port on the command line overrides the file's.
    /// </summary>
    /// <remarks>
    /// Runs in its default fork-per-association mode: DCMTK 3.6.7's --single-process mode crashes
    /// (SIGSEGV in DUL_DropAssociation) right after the first association is released.
    /// </remarks>
    public static Task<DcmtkListener> StartQueryRetrieveScpAsync(string configFile, string aeTitle, IEnumerable<string>? extraArguments = null, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(configFile))
        {
            throw new FileNotFoundException("The dcmqrscp configuration file is missing.", configFile);
        }

        configFile = Path.GetFullPath(configFile);

        var extra = extraArguments?.ToArray() ?? [];
        return StartAsync(
            "dcmqrscp",
            aeTitle,
            port => ["--config", configFile, .. extra, port.ToString(CultureInfo.InvariantCulture)],
            cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Starts any DCMTK listener: <paramref name="argumentsForPort"/> gives its arguments for the chosen
    /// port. Retries on another port when the tool reports "Address already in use" (the port was free
    /// when picked, but another process may take it first). Ready once the process itself owns a
    /// listening socket on the port; every socket it listens on must be on loopback.
    /// </summary>
    public static async Task<DcmtkListener> StartAsync(string tool, string aeTitle, Func<int, IReadOnlyList<string>> argumentsForPort, TimeSpan? readyTimeout = null, CancellationToken cancellationToken = default)
    {
        var failures = new List<string>();
        for (var attempt = 1; attempt <= StartAttempts; attempt++)
        {
            var port = FreeTcpPort.Pick();
            var output = new CapturedOutput();
            var process = Launch(tool, argumentsForPort(port), output);
            try
            {
                var timeout = readyTimeout ?? DefaultReadyTimeout;
                if (await WaitUntilListeningAsync(process, port, timeout, cancellationToken) is not bool listening)
                {
                    throw new TimeoutException($"{tool} did not listen on {LoopbackPeer.Host}:{port} within {timeout.TotalSeconds:0} s; its output:\n{output.Text.Trim()}");
                }

                if (listening)
                {
                    EnsureLoopbackOnly(tool, process.Id);
                    return new DcmtkListener(tool, aeTitle, port, process, output);
                }

                // It exited: retry on a port clash only.
                await process.WaitForExitAsync(cancellationToken);
                if (!output.Text.Contains("Address already in use", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"{tool} exited with {process.ExitCode} before listening on {LoopbackPeer.Host}:{port}; its output:\n{output.Text.Trim()}");
                }

                failures.Add($"port {port}: {output.Text.Trim()}");
                process.Dispose();
            }
            catch
            {
                await KillAsync(process);
                process.Dispose();
                throw;
            }
        }

        throw new InvalidOperationException($"{tool} found no free port in {StartAttempts} attempts:\n{string.Join('\n', failures)}");
    }

    /// <summary>Kills the listener and every process it forked, and waits until they are gone.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await KillAsync(Process);
        Process.Dispose();
    }

    public override string ToString() => $"{Tool} {AeTitle}@{LoopbackPeer.Host}:{Port} (pid {Pid})";

    private static Process Launch(string tool, IReadOnlyList<string> arguments, CapturedOutput output)
    {
        var info = new ProcessStartInfo(RepositoryPaths.Tool("loopback-exec.sh"))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(tool);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Without it DCMTK leaves Nagle on and every DIMSE exchange stalls ~40 ms on delayed ACKs.
        info.Environment["TCP_NODELAY"] = "1";
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {tool}.");

        // Servers never read stdin; a closed one (like </dev/null) keeps them from waiting on it.
        process.StandardInput.Close();
        output.Attach(process);
        return process;
    }

    /// <summary>True once the process listens on the port, false if it exited first, null on timeout.</summary>
    private static async Task<bool?> WaitUntilListeningAsync(Process process, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (process.HasExited)
            {
                return false;
            }

            // loopback-exec.sh execs the tool, so the PID is the tool's once it listens.
            if (ProcessListeners.ListensOn(process.Id, port))
            {
                return true;
            }

            if (DateTime.UtcNow >= deadline)
            {
                return null;
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    private static void EnsureLoopbackOnly(string tool, int pid)
    {
        var exposed = ProcessListeners.Of(pid).Where(endpoint => !IPAddress.IsLoopback(endpoint.Address)).ToArray();
        if (exposed.Length > 0)
        {
            throw new InvalidOperationException($"{tool} listens on {string.Join(", ", exposed.Select(e => e.ToString()))}: the loopback bind shim did not take effect.");
        }
    }

    private static async Task KillAsync(Process process)
    {
        try
        {
            // dcmqrscp forks a child per association: those must go too.
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        using var timeout = new CancellationTokenSource(ExitTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new InvalidOperationException($"Process {process.Id} did not exit within {ExitTimeout.TotalSeconds:0} s of SIGKILL.");
        }
    }
}
