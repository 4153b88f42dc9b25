namespace NodeAgent.Dicom.Json;

/// <summary>Options of the DICOM JSON model writer (PS3.18 Annex F).</summary>
public sealed record DicomJsonOptions
{
    public static DicomJsonOptions Default { get; } = new();

    /// <summary>
    /// Gives a BulkDataURI for a bulk value (OB, OD, OF, OL, OV, OW, UN, encapsulated pixel data)
    /// longer than <see cref="BulkDataThreshold"/>; when null, every bulk value is written inline.
    /// </summary>
    public Func<DicomItem, string?>? BulkDataUri { get; init; }

    public long BulkDataThreshold { get; init; } = 1024;

    /// <summary>Write group length elements (gggg,0000); PS3.18 F.2 leaves them optional.</summary>
    public bool IncludeGroupLengths { get; init; } = true;
}
