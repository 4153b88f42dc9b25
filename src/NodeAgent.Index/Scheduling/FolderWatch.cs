namespace NodeAgent.Index.Scheduling;

/// <summary>
/// Watches a folder tree so that files dropped into it are indexed soon rather than at the next
/// scheduled read: a change starts a sync once the folder has been quiet for a moment (a copy of a
/// thousand files is one sync, not a thousand). A lost event (the watcher's buffer overflowing) counts
/// as a change, and the scheduled reads go on regardless, so nothing is missed for good.
/// </summary>
public sealed class FolderWatch : IDisposable
{
    private readonly FileSystemWatcher _watcher;
    private readonly TimeSpan _quiet;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastChange;

    public FolderWatch(string folder, TimeSpan quiet, TimeProvider time)
    {
        _quiet = quiet;
        _time = time;
        _watcher = new FileSystemWatcher(folder)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
        };
        _watcher.Created += OnChange;
        _watcher.Changed += OnChange;
        _watcher.Deleted += OnChange;
        _watcher.Renamed += OnChange;
        _watcher.Error += (_, _) => Signal();
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>Completes when something changed in the folder and it has since been quiet for the set time.</summary>
    public async Task WaitForChangeAsync(CancellationToken cancellationToken)
    {
        Task changed;
        lock (_lock)
        {
            changed = _changed.Task;
        }

        await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var quietFor = _time.GetElapsedTime(Interlocked.Read(ref _lastChange));
            if (quietFor >= _quiet)
            {
                break;
            }

            await Task.Delay(_quiet - quietFor, _time, cancellationToken).ConfigureAwait(false);
        }

        lock (_lock)
        {
            if (_changed.Task.IsCompleted)
            {
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    public void Dispose() => _watcher.Dispose();

    private void OnChange(object sender, FileSystemEventArgs e)
    {
        // Our own dot files and partial files are not news.
        if (Path.GetFileName(e.FullPath).StartsWith('.'))
        {
            return;
        }

        Signal();
    }

    private void Signal()
    {
        Interlocked.Exchange(ref _lastChange, _time.GetTimestamp());
        lock (_lock)
        {
            _changed.TrySetResult();
        }
    }
}
