namespace NodeAgent.Dicom.Network.Server;

/// <summary>Answers C-FIND with matches as they are found; cancelling the token means the peer sent C-CANCEL.</summary>
public interface IDicomFindHandler
{
    IAsyncEnumerable<DicomDataset> FindAsync(DicomFindRequest request, CancellationToken cancellationToken);
}
