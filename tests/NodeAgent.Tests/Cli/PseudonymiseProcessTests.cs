using System.Diagnostics;
using System.Globalization;

namespace NodeAgent.Tests.Cli;

/// <summary>
/// <c>nodeagent pseudonymise</c> as the process an operator or a service manager runs: a SIGTERM in
/// the middle of a job loses nothing, and running the same command again finishes the rest.
/// </summary>
[Platform(Exclude = "Win", Reason = "SIGTERM is sent with kill(1); the secret's mode is set the Unix way.")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PseudonymiseProcessTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("nodeagent-pseudo-term-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_folder, recursive: true);

    [Test]
    public async Task A_sigterm_mid_job_keeps_whole_outputs_only_and_the_same_command_again_ends_as_an_uninterrupted_run()
    {
        var input = Path.Combine(_folder, "in");
        var (made, _, madeError) = await CommandRun.RunAsync("demo-data", input, "--patients", "300", "--seed", "3");
        Assert.That(made, Is.Zero, madeError);
        var secret = Path.Combine(_folder, "site.secret");
        await File.WriteAllBytesAsync(secret, Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray());
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        string[] Arguments(string output) => ["pseudonymise", "--profile", "basic", "--secret", secret, "--input", input, "--output", output, "--jobs", "1"];

        // Interrupted once some outputs exist, as systemd or `kill` stops a process.
        var output = Path.Combine(_folder, "out");
        using (var job = Start(Arguments(output)))
        {
            var error = job.StandardError.ReadToEndAsync(); // drained from the start: the job never blocks on it
            try
            {
                var deadline = DateTime.UtcNow.AddMinutes(2);
                while (!job.HasExited && DateTime.UtcNow < deadline && (!Directory.Exists(output) || Directory.GetFiles(output, "*", SearchOption.AllDirectories).Length < 40))
                {
                    await Task.Delay(10);
                }

                Assert.That(job.HasExited, Is.False, "the job ended before it could be interrupted: give it a larger corpus");
                using (var term = Process.Start("kill", ["-TERM", job.Id.ToString(CultureInfo.InvariantCulture)]))
                {
                    await term.WaitForExitAsync();
                }

                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await job.WaitForExitAsync(timeout.Token);
                var errorText = await error;
                Assert.Multiple(() =>
                {
                    Assert.That(job.ExitCode, Is.EqualTo(130), errorText);
                    Assert.That(errorText, Does.Contain("interrupted; run the same command again"));
                });
            }
            finally
            {
                if (!job.HasExited)
                {
                    job.Kill(entireProcessTree: true);
                    await job.WaitForExitAsync();
                }
            }
        }

        var inputs = Directory.GetFiles(input, "*", SearchOption.AllDirectories).Length;
        var kept = Directory.GetFiles(output, "*", SearchOption.AllDirectories);
        Assert.Multiple(() =>
        {
            Assert.That(kept, Has.None.EndsWith(".nodeagent-partial"), "no half-written output is left");
            Assert.That(kept, Has.Length.LessThan(inputs), "the job was stopped before its end");
        });

        // The same command again finishes the rest, and the result is what one uninterrupted run gives.
        var (again, againOut, againError) = await CommandRun.RunAsync(Arguments(output));
        Assert.That(again, Is.Zero, againError);
        Assert.That(againOut, Does.Match($@"[1-9][0-9]* done, {kept.Length} already done,"), "the rest done now, the kept files not again");
        var reference = Path.Combine(_folder, "reference");
        var (once, _, onceError) = await CommandRun.RunAsync(Arguments(reference));
        Assert.That(once, Is.Zero, onceError);
        Assert.That(Contents(output), Is.EqualTo(Contents(reference)));
    }

    [Test]
    public async Task With_a_collector_configured_the_job_sends_its_span_and_file_counts_and_no_planted_identifier()
    {
        var corpus = NodeAgent.Testing.SyntheticCorpus.Get("--patients", "6", "--studies", "1-2", "--series", "1-2", "--instances", "1-2", "--size", "tiny", "--seed", "33");
        using var collector = new OtlpReceiver();
        var secret = Path.Combine(_folder, "site.secret");
        await File.WriteAllBytesAsync(secret, Enumerable.Range(0, 32).Select(i => (byte)(i * 5)).ToArray());
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var environment = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{collector.Port}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        };
        using var job = Start(["pseudonymise", "--profile", "basic", "--secret", secret, "--input", corpus.Directory, "--output", Path.Combine(_folder, "out")], environment);
        var error = job.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await job.WaitForExitAsync(timeout.Token);
        Assert.That(job.ExitCode, Is.Zero, await error);

        // Sent before the process ended: the job's span and its counts.
        var traces = collector.Text("/v1/traces");
        var metrics = collector.Text("/v1/metrics");
        Assert.Multiple(() =>
        {
            Assert.That(traces, Does.Contain("pseudonymisation job"));
            Assert.That(metrics, Does.Contain("nodeagent.pseudonymisation.files").And.Contain("nodeagent.pseudonymisation.bytes"));
        });
        var planted = PlantedIdentifiers.Of(corpus.ManifestPath);
        Assert.That(planted, Has.Count.GreaterThan(10), "the corpus planted identifiers to look for");
        Assert.That(planted.Where(v => (traces + metrics).Contains(v, StringComparison.Ordinal)), Is.Empty, "planted identifiers reached the collector");
    }

    private static Process Start(string[] arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "nodeagent")) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info)!;
        process.BeginOutputReadLine();
        return process;
    }

    /// <summary>Each output's path and a digest of its bytes, in order.</summary>
    private static List<string> Contents(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f) + " " + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))))
            .Order(StringComparer.Ordinal)
            .ToList();
}
