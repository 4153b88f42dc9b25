using System.Collections.Frozen;
using NodeAgent.Dicom;
using NodeAgent.Dicom.IO;

namespace NodeAgent.Benchmarks;

/// <summary>Reads only what an index needs, stopping before Pixel Data: the header scan being measured.</summary>
public static class HeaderScan
{
    /// <summary>The tags of <see cref="IndexHeader"/>; the same list is given to the peers.</summary>
    public static readonly DicomTag[] Tags =
    [
        DicomTags.SOPClassUID, DicomTags.SOPInstanceUID, DicomTags.StudyInstanceUID, DicomTags.SeriesInstanceUID,
        DicomTags.PatientID, DicomTags.Modality, DicomTags.StudyDate, DicomTags.BodyPartExamined, DicomTags.PatientSex,
        DicomTags.PatientAge, DicomTags.Manufacturer, DicomTags.ManufacturerModelName, DicomTags.SliceThickness,
        DicomTags.SeriesNumber, DicomTags.InstanceNumber, DicomTags.Rows, DicomTags.Columns,
    ];

    private static readonly FrozenSet<DicomTag> Wanted = Tags.ToFrozenSet();

    private static readonly DicomReadOptions Options = new()
    {
        StopBefore = DicomReadOptions.IsPixelData,
        Keep = Wanted.Contains,
    };

    public static IndexHeader Scan(string path)
    {
        using var file = DicomFile.Open(path, Options);
        var ds = file.Dataset;
        return new IndexHeader(
            ds.GetString(DicomTags.SOPClassUID),
            ds.GetString(DicomTags.SOPInstanceUID),
            ds.GetString(DicomTags.StudyInstanceUID),
            ds.GetString(DicomTags.SeriesInstanceUID),
            ds.GetString(DicomTags.PatientID),
            ds.GetString(DicomTags.Modality),
            ds.GetString(DicomTags.StudyDate),
            ds.GetString(DicomTags.BodyPartExamined),
            ds.GetString(DicomTags.PatientSex),
            ds.GetString(DicomTags.PatientAge),
            ds.GetString(DicomTags.Manufacturer),
            ds.GetString(DicomTags.ManufacturerModelName),
            ds.GetString(DicomTags.SliceThickness),
            ds.GetString(DicomTags.SeriesNumber),
            ds.GetString(DicomTags.InstanceNumber),
            ds.GetValue<ushort>(DicomTags.Rows),
            ds.GetValue<ushort>(DicomTags.Columns),
            file.TransferSyntax.Uid);
    }

    /// <summary>Lists the folder's *.dcm files (recursively) while scanning them: what gdcmscanner -r does.</summary>
    public static int ScanDirectory(string directory, int threads) =>
        ScanAll(Directory.EnumerateFiles(directory, "*.dcm", SearchOption.AllDirectories), threads);

    /// <summary>Scans every file on <paramref name="threads"/> threads; returns how many were read.</summary>
    public static int ScanAll(IEnumerable<string> files, int threads)
    {
        var count = 0;
        Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = threads }, () => 0, (path, _, local) =>
        {
            var header = Scan(path);
            return header.SopInstanceUid is null ? local : local + 1;
        }, local => Interlocked.Add(ref count, local));
        return count;
    }
}
