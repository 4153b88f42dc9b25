using NodeAgent.Dicom.IO;

namespace NodeAgent.Dicom.Network.Dimse;

/// <summary>
/// The data set of an outgoing DIMSE message, written in the negotiated transfer syntax: from a
/// dataset in memory, or from a Part 10 file, whose pixel data is streamed from the file as it is sent.
/// </summary>
public abstract class DatasetSource
{
    public static DatasetSource FromDataset(DicomDataset dataset) => new InMemory(dataset);

    public static DatasetSource FromFile(DicomFile file) => new FromPart10(file);

    /// <summary>Writes the data set to <paramref name="output"/> in <paramref name="transferSyntax"/>.</summary>
    public abstract Task WriteAsync(Stream output, DicomTransferSyntax transferSyntax, CancellationToken cancellationToken);

    private sealed class InMemory(DicomDataset dataset) : DatasetSource
    {
        public override Task WriteAsync(Stream output, DicomTransferSyntax transferSyntax, CancellationToken cancellationToken) =>
            DicomWriter.WriteDatasetAsync(output, dataset, transferSyntax, cancellationToken: cancellationToken);
    }

    private sealed class FromPart10(DicomFile file) : DatasetSource
    {
        public override Task WriteAsync(Stream output, DicomTransferSyntax transferSyntax, CancellationToken cancellationToken) =>
            DicomWriter.WriteDatasetAsync(output, file.Dataset, transferSyntax, cancellationToken: cancellationToken);
    }
}
