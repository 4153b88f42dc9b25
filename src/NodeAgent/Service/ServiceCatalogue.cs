using NodeAgent.Index.Catalogue;

namespace NodeAgent.Service;

/// <summary>The catalogue the service opened (as its one writer) and the names of its configured sources.</summary>
internal sealed class ServiceCatalogue(SiteCatalogue catalogue, IReadOnlyList<string> sourceNames) : IDisposable
{
    public SiteCatalogue Catalogue { get; } = catalogue;

    public IReadOnlyList<string> SourceNames { get; } = sourceNames;

    public void Dispose() => Catalogue.Dispose();
}
