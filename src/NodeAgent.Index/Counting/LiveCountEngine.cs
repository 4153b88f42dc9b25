using NodeAgent.Index.Catalogue;

namespace NodeAgent.Index.Counting;

/// <summary>
/// The count engine of a running service: built from the catalogue at start, and rebuilt in the
/// background after the catalogue changes, at most once per <c>minInterval</c> or three build times (a sync commits a
/// window at a time, C-STORE arrivals one instance at a time: many changes, one rebuild). Queries
/// always read a complete engine: the previous one until the next is ready, then the next one.
/// </summary>
/// <remarks>
/// Why a rebuild and not updates in place: the engine's columns are sorted by patient and study so
/// that one pass counts distinct patients and studies; keeping them sorted under inserts costs more
/// code than a background rebuild costs time (about 11 s per million series read from the file, off
/// the query path, with the memory given back after).
/// </remarks>
public sealed class LiveCountEngine : IDisposable
{
    private const int LargeEngine = 50_000;
    private readonly SiteCatalogue _catalogue;
    private readonly TimeSpan _minInterval;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _changed = new(0, 1);
    private Snapshot _snapshot;
    private int _dirty;
    private TimeSpan _lastBuild;

    /// <summary>Builds the first engine now (from the catalogue as it is) and listens for changes.</summary>
    public LiveCountEngine(SiteCatalogue catalogue, TimeSpan minInterval, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        _catalogue = catalogue;
        _minInterval = minInterval;
        _time = time;
        _snapshot = new Snapshot(Build(catalogue), 1, time.GetUtcNow());
        catalogue.Changed += OnChanged;
    }

    /// <summary>The engine to query now.</summary>
    public CountEngine Current => Volatile.Read(ref _snapshot).Engine;

    /// <summary>Increases with every rebuild: answers computed on the same version are over the same data.</summary>
    public long Version => Volatile.Read(ref _snapshot).Version;

    /// <summary>When the engine now queried was built: changes after this are not in its answers yet.</summary>
    public DateTimeOffset BuiltAt => Volatile.Read(ref _snapshot).BuiltAt;

    /// <summary>Why the last rebuild failed (null when it did not): the engine before it still answers.</summary>
    public Exception? LastError { get; private set; }

    /// <summary>Whether changes are waiting for the next rebuild.</summary>
    public bool IsStale => Volatile.Read(ref _dirty) != 0;

    /// <summary>Rebuilds after changes until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await _changed.WaitAsync(cancellationToken).ConfigureAwait(false);

            // At least the interval, and three build times: rebuilds take at most a quarter of a
            // core however large the catalogue (about 11 s per build at a million series).
            // An empty engine (a first sync under way) is replaced at once: nothing to spare there.
            var gap = Current.SeriesCount == 0 ? TimeSpan.Zero : _lastBuild * 3 > _minInterval ? _lastBuild * 3 : _minInterval;
            var wait = _snapshot.BuiltAt + gap - _time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                Rebuild();
                LastError = null;
            }
            catch (CatalogueException e)
            {
                // The previous engine goes on answering; the rebuild is tried again after the interval.
                LastError = e;
                OnChanged(this, EventArgs.Empty);
                await Task.Delay(_minInterval, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Rebuilds now (tests, and a stop that wants the last changes counted).</summary>
    public void Rebuild()
    {
        Volatile.Write(ref _dirty, 0);
        var started = _time.GetTimestamp();
        var engine = Build(_catalogue);
        _lastBuild = _time.GetElapsedTime(started);
        var previous = Volatile.Read(ref _snapshot);
        Volatile.Write(ref _snapshot, new Snapshot(engine, previous.Version + 1, _time.GetUtcNow()));
    }

    public void Dispose()
    {
        _catalogue.Changed -= OnChanged;
        _changed.Dispose();
    }

    private static CountEngine Build(SiteCatalogue catalogue)
    {
        var engine = CountEngine.Build(catalogue.Series());
        if (engine.SeriesCount > LargeEngine)
        {
            // The build's scaffolding (a dictionary entry per series, the records read) is garbage
            // now and several times the engine's size: a service that runs for months gives it back
            // to the OS rather than keep the high-water mark.
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }

        return engine;
    }

    private void OnChanged(object? sender, EventArgs e)
    {
        if (Interlocked.Exchange(ref _dirty, 1) == 0)
        {
            try
            {
                _changed.Release();
            }
            catch (SemaphoreFullException)
            {
                // A rebuild is already signalled.
            }
        }
    }

    private sealed record Snapshot(CountEngine Engine, long Version, DateTimeOffset BuiltAt);
}
