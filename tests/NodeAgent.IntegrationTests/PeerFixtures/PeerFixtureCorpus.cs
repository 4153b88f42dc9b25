using NodeAgent.Dicom;
using NodeAgent.Dicom.IO;
using NodeAgent.Testing;

namespace NodeAgent.IntegrationTests.PeerFixtures;

/// <summary>The small corpus the peer fixtures are proven with: 3 patients, one study each, a few instances per series.</summary>
public static class PeerFixtureCorpus
{
    private static readonly Lazy<SyntheticCorpus> Corpus = new(() => SyntheticCorpus.Get(
        "--patients", "3", "--studies", "1-1", "--series", "1-2", "--instances", "2-3", "--size", "tiny", "--seed", "5"));

    public static IReadOnlyList<string> Files => Corpus.Value.Files;

    /// <summary>The distinct Study Instance UIDs of the files, as our own reader sees them.</summary>
    public static IReadOnlySet<string> StudyUids(IEnumerable<string> files) =>
        files.Select(StudyUid).ToHashSet(StringComparer.Ordinal);

    public static string StudyUid(string file)
    {
        using var dicom = DicomFile.Open(file, DicomReadOptions.StopBeforePixelData);
        return dicom.Dataset.GetString(DicomTags.StudyInstanceUID) ?? throw new InvalidOperationException($"{file} has no StudyInstanceUID.");
    }
}
