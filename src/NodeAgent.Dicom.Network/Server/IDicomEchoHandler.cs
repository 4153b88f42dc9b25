namespace NodeAgent.Dicom.Network.Server;

/// <summary>Answers C-ECHO; without one registered, every echo succeeds.</summary>
public interface IDicomEchoHandler
{
    ValueTask<ushort> EchoAsync(DicomAssociationInfo association, CancellationToken cancellationToken);
}
