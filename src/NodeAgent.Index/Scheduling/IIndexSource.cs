using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Sources;

namespace NodeAgent.Index.Scheduling;

/// <summary>A source the scheduler can sync: a PACS (DIMSE, DICOMweb) or a folder.</summary>
public interface IIndexSource
{
    /// <summary>The source's name: its identity in the catalogue and in the configuration.</summary>
    string Name { get; }

    /// <summary>Whether a sync of the recent days means anything (a PACS); a folder is always read whole.</summary>
    bool HasRecentScope { get; }

    /// <summary>One sync; returns a one-line summary with counts only (it goes to the logs).</summary>
    Task<string> SyncAsync(SiteCatalogue catalogue, SyncScope scope, CancellationToken cancellationToken);
}
