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
