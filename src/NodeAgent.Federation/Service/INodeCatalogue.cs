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

/// <summary>The service's live catalogue: the engine rebuilt after changes, the sources' states from the file.</summary>
public sealed class LiveNodeCatalogue(LiveCountEngine engine, SiteCatalogue catalogue) : INodeCatalogue
{
    public CountEngine Engine => engine.Current;

    public DateTimeOffset BuiltAt => engine.BuiltAt;

    public IReadOnlyList<SourceState> Sources() => catalogue.Sources();
}
