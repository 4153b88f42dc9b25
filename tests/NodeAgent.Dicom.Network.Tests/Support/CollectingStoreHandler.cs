using NodeAgent.Dicom.Network.Dimse;
using NodeAgent.Dicom.Network.Storage;

namespace NodeAgent.Dicom.Network.Tests.Support;

/// <summary>Keeps every received data set (parsed) for the test to inspect.</summary>
internal sealed class CollectingStoreHandler : IDicomStoreHandler
{
    public List<(DicomStoreRequest Request, DicomDataset Dataset)> Received { get; } = [];

    public ValueTask<ushort> StoreAsync(DicomStoreRequest request, CancellationToken cancellationToken)
    {
        lock (Received)
        {
            Received.Add((request, request.Dataset.ReadDataset()));
        }

        return ValueTask.FromResult(DimseStatus.Success);
    }
}
