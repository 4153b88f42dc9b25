using System.Diagnostics;

namespace NodeAgent.Testing;

/// <summary>Runs a peer program (pydicom, dcmdump, dciodvfy...) to completion, with a timeout.</summary>
public static class ExternalProcess
{
    public static ProcessResult Run(string fileName, IEnumerable<string> arguments, string? standardInput = null, TimeSpan? timeout = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        // DCMTK tools otherwise leave Nagle on (see shared/tools/README.md).
        info.Environment["TCP_NODELAY"] = "1";
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            process.StandardInput.Write(standardInput);
        }

        process.StandardInput.Close();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish in time.");
        }

        process.WaitForExit();
        return new ProcessResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}
