using NodeAgent.Federation.Service;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Counting;

namespace NodeAgent.Testing.Federation;

/// <summary>A node's catalogue fixed at one engine, with the sources given; optionally slow to answer (a node busy elsewhere).</summary>
public sealed class FixedNodeCatalogue(CountEngine engine, IReadOnlyList<SourceState>? sources = null, TimeSpan delay = default) : INodeCatalogue
{
    public CountEngine Engine
    {
        get
        {
            if (delay > TimeSpan.Zero)
            {
                Thread.Sleep(delay);
            }

            return engine;
        }
    }

    public DateTimeOffset BuiltAt { get; } = DateTimeOffset.UtcNow;

    public IReadOnlyList<SourceState> Sources() => sources ?? [];
}
