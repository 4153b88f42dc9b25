namespace NodeAgent.Dicom.IO;

/// <summary>How the writer encodes the lengths of sequences and items.</summary>
public enum DicomSequenceLengthEncoding
{
    /// <summary>Undefined lengths with delimitation items: streamable, read by every toolkit.</summary>
    Undefined,

    /// <summary>Explicit lengths, computed before writing (as DCMTK writes by default).</summary>
    Defined,
}
