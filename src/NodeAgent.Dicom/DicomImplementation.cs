namespace NodeAgent.Dicom;

/// <summary>How NodeAgent identifies itself in file meta information and association negotiation.</summary>
public static class DicomImplementation
{
    /// <summary>
    /// Our Implementation Class UID: a UUID-derived UID (PS3.5 B.2, root 2.25) fixed for this
    /// implementation, so it needs no registered organisation root.
    /// </summary>
    public const string ClassUid = "2.25.197493379649368510178477981494480666717";

    /// <summary>Implementation Version Name (SH, at most 16 characters).</summary>
    public const string VersionName = "NODEAGENT_0_1";
}
