namespace NodeAgent.Dicom.IO;

/// <summary>How to read: where to stop, what to keep, and which values stay on disk.</summary>
public sealed record DicomReadOptions
{
    /// <summary>Defaults: read everything, reference values over 64 KB by file offset.</summary>
    public static DicomReadOptions Default { get; } = new();

    /// <summary>Stops before (7FE0,0008), (7FE0,0009) or (7FE0,0010): the header scan an index needs.</summary>
    public static DicomReadOptions StopBeforePixelData { get; } = new() { StopBefore = IsPixelData };

    /// <summary>
    /// Top-level tag before which reading stops (the element is not read). The dataset is then
    /// marked <see cref="DicomDataset.IsPartial"/>.
    /// </summary>
    public Func<DicomTag, bool>? StopBefore { get; init; }

    /// <summary>
    /// Top-level elements to keep; others are skipped without being loaded. Specific Character Set
    /// is always kept, since text cannot be decoded without it.
    /// </summary>
    public Func<DicomTag, bool>? Keep { get; init; }

    /// <summary>Values longer than this are referenced by offset in the file and streamed when needed.</summary>
    public int LargeValueThreshold { get; init; } = 64 * 1024;

    /// <summary>
    /// For input that cannot be re-read (a network stream, a deflated dataset), values longer than
    /// this are spooled to a temporary file that is deleted when the <see cref="DicomFile"/> is disposed.
    /// </summary>
    public long SpoolThreshold { get; init; } = 16 * 1024 * 1024;

    /// <summary>Maximum nesting of sequences; deeper input is rejected as malicious.</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Maximum number of elements and items in one input; hostile input could otherwise make millions of tiny objects.</summary>
    public int MaxElements { get; init; } = 10_000_000;

    /// <summary>Maximum bytes of values held in memory for one input (values kept in files or spooled do not count).</summary>
    public long MaxInMemoryValueBytes { get; init; } = 1L << 30;

    /// <summary>Maximum size of an inflated (deflated transfer syntax) dataset: a deflate bomb stops here.</summary>
    public long MaxInflatedLength { get; init; } = 8L << 30;

    /// <summary>
    /// Accept a file that ends exactly between two elements inside an item or sequence whose
    /// declared length runs past the end of the file (a truncated DICOMDIR, say): the containers end
    /// where the file does and the dataset is marked <see cref="DicomDataset.IsPartial"/>. Off by
    /// default: such a file is truncated, and that is reported. A value cut in the middle is always an error.
    /// </summary>
    public bool AllowTruncatedContainers { get; init; }

    /// <summary>Size of the read buffer.</summary>
    public int BufferSize { get; init; } = 16 * 1024;

    /// <summary>Accept input without preamble and "DICM" (a bare dataset, or file meta without preamble).</summary>
    public bool AllowMissingPreamble { get; init; } = true;

    /// <summary>Directory for spool files; the system temporary directory when null.</summary>
    public string? SpoolDirectory { get; init; }

    public static bool IsPixelData(DicomTag tag) => tag.Group == 0x7FE0 && tag.Element is 0x0008 or 0x0009 or 0x0010;
}
