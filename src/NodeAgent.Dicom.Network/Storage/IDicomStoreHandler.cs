namespace NodeAgent.Dicom.Network.Storage;

/// <summary>Receives stored instances. Returns the C-STORE status to answer (0x0000 success).</summary>
public interface IDicomStoreHandler
{
    ValueTask<ushort> StoreAsync(DicomStoreRequest request, CancellationToken cancellationToken);
}
