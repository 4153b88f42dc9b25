using System.Diagnostics;

namespace NodeAgent.Index.Sources.Internal;

/// <summary>Spaces the starts of a source's queries at least an interval apart: the PACS's queries-per-second cap.</summary>
internal sealed class QueryPacer(TimeSpan interval)
{
    private long _last;

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        if (_last != 0)
        {
            var wait = interval - Stopwatch.GetElapsedTime(_last);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }

        _last = Stopwatch.GetTimestamp();
    }
}
