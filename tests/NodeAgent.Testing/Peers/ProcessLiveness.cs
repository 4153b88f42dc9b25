namespace NodeAgent.Testing.Peers;

/// <summary>Whether a process still runs, as the peers' tests need to prove that nothing was left behind.</summary>
public static class ProcessLiveness
{
    /// <summary>
    /// True while the process exists and is not a zombie. The sandbox's PID 1 reaps orphans late, so
    /// a stopped peer can linger for seconds in state Z: it holds no sockets or files any more and
    /// counts as gone.
    /// </summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("State:", StringComparison.Ordinal))
                {
                    return !line.AsSpan(6).Trim().StartsWith("Z");
                }
            }

            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Waits until the process is gone (or a zombie); false if it still runs after the timeout.</summary>
    public static async Task<bool> WaitUntilGoneAsync(int pid, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (IsAlive(pid))
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(50, cancellationToken);
        }

        return true;
    }
}
