using NodeAgent.Dicom.Network.Client.Internal;
using NodeAgent.Dicom.Network.Query;

namespace NodeAgent.Dicom.Network.Client;

/// <summary>
/// One open association for a run of queries (C-FIND in both models, C-ECHO), released on dispose.
/// Operations are sequential (asynchronous operations window 1): finish one before the next.
/// </summary>
public sealed class DicomClientSession : IAsyncDisposable
{
    private readonly DicomClient _client;
    private readonly ClientAssociation _association;

    internal DicomClientSession(DicomClient client, ClientAssociation association)
    {
        _client = client;
        _association = association;
    }

    public Task<TimeSpan> EchoAsync(CancellationToken cancellationToken = default) => DicomClient.EchoOnAsync(_association, cancellationToken);

    public IAsyncEnumerable<DicomDataset> FindAsync(DicomQuery query, DicomFindSummary? summary = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return _client.FindOnAsync(_association, query, summary, cancellationToken);
    }

    public ValueTask DisposeAsync() => _association.DisposeAsync();
}
