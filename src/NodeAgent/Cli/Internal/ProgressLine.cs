namespace NodeAgent.Cli.Internal;

/// <summary>
/// A progress line on the terminal (rewritten in place, at most ten times a second); silent when
/// stderr is redirected to a file or another program, so logs do not fill with counters. Safe to call
/// from parallel workers.
/// </summary>
internal sealed class ProgressLine(TextWriter error)
{
    private readonly Lock _lock = new();
    private readonly bool _interactive = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
    private long _lastTicks;
    private int _width;

    public void Report(string text, bool force = false)
    {
        if (!_interactive)
        {
            return;
        }

        lock (_lock)
        {
            ReportLocked(text, force);
        }
    }

    private void ReportLocked(string text, bool force)
    {
        var now = Environment.TickCount64;
        if (!force && now - _lastTicks < 100)
        {
            return;
        }

        _lastTicks = now;
        error.Write("\r" + text.PadRight(_width));
        _width = text.Length;
    }

    public void Done()
    {
        if (_interactive && _width > 0)
        {
            error.Write("\r" + new string(' ', _width) + "\r");
        }
    }
}
