using NodeAgent.Dicom.Network.Dimse;

namespace NodeAgent.Dicom.Network.Query;

/// <summary>How a C-FIND ended: filled in when its results have been read to the end.</summary>
public sealed class DicomFindSummary
{
    public int Matches { get; internal set; }

    /// <summary>The final status: success, cancel, or a failure or warning code.</summary>
    public ushort Status { get; internal set; }

    public string? ErrorComment { get; internal set; }

    /// <summary>
    /// The peer stopped before giving every match (a PACS capping its answers answers with a
    /// non-success final status): the matches read are only part of the truth.
    /// </summary>
    public bool IsTruncated => Status != DimseStatus.Success;
}
