namespace NodeAgent.Pseudonymisation.Batch;

/// <summary>Where a batch reads, writes and sets aside, and how hard it works.</summary>
public sealed record PseudonymisationJobOptions(string InputDirectory, string OutputDirectory, string QuarantineDirectory)
{
    /// <summary>Files pseudonymised at once; the number of processors by default.</summary>
    public int Jobs { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Flush each output to the disk before it is renamed into place. Off by default: a process that
    /// is killed loses nothing either way (the page cache survives it), only a power cut can, and the
    /// cost is one disk flush per file.
    /// </summary>
    public bool FlushToDisk { get; init; }

    /// <summary>How outputs are named: the input's tree (the default), or by the new UIDs.</summary>
    public OutputLayout Layout { get; init; } = OutputLayout.Mirror;
}
