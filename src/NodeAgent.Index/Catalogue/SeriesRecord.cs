namespace NodeAgent.Index.Catalogue;

/// <summary>
/// One series as the catalogue keeps it: what queries need, minimised. The patient appears only as
/// a keyed pseudonym; names, IDs and birth dates are never stored. The study and series UIDs are
/// PACS locators for retrieval on site and are never exported.
/// </summary>
public sealed class SeriesRecord
{
    /// <summary>Source name and Series Instance UID: the same series from two sources is two records.</summary>
    public string Id { get; set; } = "";

    public string Source { get; set; } = "";

    public string StudyInstanceUid { get; set; } = "";

    public string SeriesInstanceUid { get; set; } = "";

    /// <summary>HMAC pseudonym of the patient (ID and issuer) under the site key, to count distinct patients.</summary>
    public string PatientKey { get; set; } = "";

    public string? Modality { get; set; }

    public string? BodyPart { get; set; }

    /// <summary>M, F or O, as DICOM writes Patient's Sex.</summary>
    public string? Sex { get; set; }

    /// <summary>Age in whole years at the study (Patient's Age, else birth date and study date).</summary>
    public int? AgeYears { get; set; }

    /// <summary>The study date as yyyymmdd.</summary>
    public int? StudyDate { get; set; }

    public string? Manufacturer { get; set; }

    public string? ManufacturerModel { get; set; }

    public List<string> SopClasses { get; set; } = [];

    public List<string> TransferSyntaxes { get; set; } = [];

    public int Instances { get; set; }

    public double? SliceThickness { get; set; }

    public DateTime IndexedAt { get; set; }

    /// <summary>The crawl pass that last saw the series in its PACS (0 for folders and arrivals).</summary>
    public int Pass { get; set; }

    public static string MakeId(string source, string seriesInstanceUid) => source + "|" + seriesInstanceUid;

    /// <summary>Counts one more instance of the series, with its SOP class and transfer syntax.</summary>
    public void AddInstance(string? sopClassUid, string transferSyntaxUid)
    {
        Instances++;
        if (sopClassUid is { Length: > 0 } && !SopClasses.Contains(sopClassUid))
        {
            SopClasses.Add(sopClassUid);
        }

        if (!TransferSyntaxes.Contains(transferSyntaxUid))
        {
            TransferSyntaxes.Add(transferSyntaxUid);
        }
    }
}
