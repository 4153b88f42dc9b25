namespace NodeAgent.Dicom.Network.Dimse;

/// <summary>A received DIMSE message: its command and, when one followed, its data set.</summary>
public sealed class DimseMessage(byte presentationContextId, DimseCommand command, ReceivedDataset? dataset) : IDisposable
{
    public byte PresentationContextId { get; } = presentationContextId;

    public DimseCommand Command { get; } = command;

    public ReceivedDataset? Dataset { get; } = dataset;

    public void Dispose() => Dataset?.Dispose();
}
