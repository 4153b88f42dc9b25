using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Counting;

namespace NodeAgent.Federation.Service;

/// <summary>What the federation answers from: the count engine of the moment and the sources' freshness.</summary>
public interface INodeCatalogue
{
    /// <summary>The engine to answer from; one answer uses one engine throughout.</summary>
    CountEngine Engine { get; }

    /// <summary>When <see cref="Engine"/> was built.</summary>
    DateTimeOffset BuiltAt { get; }

    IReadOnlyList<SourceState> Sources();
}

/// <summary>
/// The service's live catalogue: the engine rebuilt after changes, the sources' states from the file.
/// Every answer carries the sources' freshness; they are read from the file at most once a second,
/// not on every call (they change with syncs, minutes apart).
/// </summary>
public sealed class LiveNodeCatalogue(LiveCountEngine engine, SiteCatalogue catalogue, TimeProvider? time = null) : INodeCatalogue
{
    private static readonly TimeSpan SourcesMaxAge = TimeSpan.FromSeconds(1);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private CachedSources? _sources;

    public CountEngine Engine => engine.Current;

    public DateTimeOffset BuiltAt => engine.BuiltAt;

    public IReadOnlyList<SourceState> Sources()
    {
        var cached = Volatile.Read(ref _sources);
        if (cached is not null && _time.GetElapsedTime(cached.ReadAt) < SourcesMaxAge)
        {
            return cached.States;
        }

        var states = catalogue.Sources();
        Volatile.Write(ref _sources, new CachedSources(states, _time.GetTimestamp()));
        return states;
    }

    private sealed record CachedSources(IReadOnlyList<SourceState> States, long ReadAt);
}
