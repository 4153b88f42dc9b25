using NodeAgent.Dicom.IO;
using NodeAgent.Testing;

namespace NodeAgent.IntegrationTests.Codec;

/// <summary>The inputs every codec conformance test runs on.</summary>
public static class CodecCorpora
{
    /// <summary>
    /// A synthetic corpus with every transfer syntax (explicit/implicit LE, deflated, big endian,
    /// JPEG baseline), every modality and all three character set mixes, small images: 255 files.
    /// </summary>
    public static SyntheticCorpus Mixed => SyntheticCorpus.Get(
        "--patients", "40", "--studies", "1-2", "--series", "1-2", "--instances", "2-3",
        "--size", "tiny", "--seed", "11", "--jpeg-rate", "1", "--seg-rate", "0.5");

    /// <summary>
    /// Sample files that are not valid DICOM. pydicom reads them anyway (it takes what is there);
    /// NodeAgent refuses them with a typed error, as DCMTK's dcmdump also does for all but
    /// DICOMDIR-nooffset. That one ends between two elements of its last directory record, which
    /// DCMTK accepts: so does NodeAgent with <see cref="DicomReadOptions.AllowTruncatedContainers"/>
    /// (see <see cref="ReadableWhenTruncationAllowed"/>).
    /// </summary>
    public static IReadOnlyDictionary<string, DicomParseError> Malformed { get; } = new Dictionary<string, DicomParseError>(StringComparer.Ordinal)
    {
        ["MR_truncated.dcm"] = DicomParseError.LengthOutOfRange,       // Pixel Data declares 8192 bytes, 8130 are left
        ["rtplan_truncated.dcm"] = DicomParseError.LengthOutOfRange,   // a sequence declares 976 bytes, 711 are left
        ["DICOMDIR-nooffset"] = DicomParseError.LengthOutOfRange,     // the last directory record declares 248 bytes, 224 are left
        ["no_meta.dcm"] = DicomParseError.NotDicom,                  // a stray byte before the first element
        ["README"] = DicomParseError.NotDicom,                        // a text file in pydicom's test folder
    };

    public static bool IsKnownMalformed(string path) => Malformed.ContainsKey(Path.GetFileName(path));

    /// <summary>Malformed files whose content NodeAgent reads, like DCMTK, when truncated containers are allowed.</summary>
    public static IReadOnlySet<string> ReadableWhenTruncationAllowed { get; } = new HashSet<string>(StringComparer.Ordinal) { "DICOMDIR-nooffset" };

    /// <summary>The real sample files Debian ships with pydicom, DCMTK and GDCM (shared/tools/debian-sample-files.tsv).</summary>
    public static IReadOnlyList<string> DebianSampleFiles()
    {
        var list = Path.Combine(RepositoryPaths.ToolsDirectory, "debian-sample-files.tsv");
        return File.ReadAllLines(list).Skip(1)
            .Select(l => l.Split('\t')[0])
            .Where(p => p.Length > 0)
            .ToList();
    }
}
