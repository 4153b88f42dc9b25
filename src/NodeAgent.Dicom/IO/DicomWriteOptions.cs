using System.IO.Compression;

namespace NodeAgent.Dicom.IO;

/// <summary>How to write a file or dataset.</summary>
public sealed record DicomWriteOptions
{
    public static DicomWriteOptions Default { get; } = new();

    /// <summary>The transfer syntax to write; null keeps the one the file was read in.</summary>
    public DicomTransferSyntax? TransferSyntax { get; init; }

    public DicomSequenceLengthEncoding SequenceLength { get; init; } = DicomSequenceLengthEncoding.Undefined;

    /// <summary>Drop group length elements (gggg,0000) outside group 0002; otherwise those present are recalculated.</summary>
    public bool RemoveGroupLengths { get; init; }

    public string ImplementationClassUid { get; init; } = DicomImplementation.ClassUid;

    public string ImplementationVersionName { get; init; } = DicomImplementation.VersionName;

    /// <summary>
    /// <see cref="DicomFile.Save(string, DicomWriteOptions?)"/> forces the file to disk before renaming
    /// it into place, so a crash or power cut never leaves a partial file under the final name.
    /// Turn off only for throwaway output.
    /// </summary>
    public bool FlushToDisk { get; init; } = true;

    /// <summary>Size of the output buffer.</summary>
    public int BufferSize { get; init; } = 256 * 1024;

    /// <summary>
    /// Compression of deflated transfer syntaxes. Fastest by default: re-deflating at zlib's default
    /// level costs more time than the rest of a rewrite together, for a few percent of size.
    /// </summary>
    public CompressionLevel DeflateLevel { get; init; } = CompressionLevel.Fastest;
}
