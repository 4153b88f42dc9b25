using System.Text.Json;
using NodeAgent.Dicom;
using NodeAgent.Dicom.IO;
using NodeAgent.Testing;

namespace NodeAgent.IntegrationTests.Network;

/// <summary>One file of the network corpus: where it is, its planted identifiers (from the manifest) and a few header values.</summary>
public sealed record CorpusInstance(
    string Path,
    string TransferSyntaxUid,
    string? CharacterSet,
    string SopClassUid,
    string SopInstanceUid,
    string SeriesInstanceUid,
    string StudyInstanceUid,
    string PatientId,
    string PatientName,
    string StudyDate,
    string Modality);

/// <summary>
/// The corpus the network tests run on: 12 patients, 17 studies, 80 tiny files, with every transfer
/// syntax (explicit and implicit VR LE, deflated, big endian, JPEG baseline for all US studies),
/// multi-series CT/MR/PET-CT studies, a SEG series, and patients named in ASCII, Latin-1
/// (ISO_IR 100) and UTF-8 (ISO_IR 192, one of them with Greek letters: Groß^Νίκος).
/// </summary>
public static class NetworkCorpus
{
    private static readonly Lazy<SyntheticCorpus> Corpus = new(() => SyntheticCorpus.Get(
        "--patients", "12", "--studies", "1-2", "--series", "1-2", "--instances", "2-3", "--size", "tiny", "--seed", "21",
        "--jpeg-rate", "1", "--charset-mix", "none=1,latin1=1,utf8=2", "--ts-mix", "explicit=3,implicit=2,deflated=2,bigendian=2"));

    private static readonly Lazy<IReadOnlyList<CorpusInstance>> Loaded = new(Load);

    public static IReadOnlyList<CorpusInstance> Instances => Loaded.Value;

    public static IReadOnlyList<string> Files => Instances.Select(i => i.Path).ToArray();

    public static string Directory => Corpus.Value.Directory;

    /// <summary>Study Instance UID → its instances.</summary>
    public static IReadOnlyDictionary<string, CorpusInstance[]> Studies =>
        Instances.GroupBy(i => i.StudyInstanceUid, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);

    private static IReadOnlyList<CorpusInstance> Load()
    {
        var corpus = Corpus.Value;
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(corpus.ManifestPath));
        var instances = new List<CorpusInstance>();
        foreach (var file in manifest.RootElement.GetProperty("files").EnumerateArray())
        {
            var planted = file.GetProperty("phi").EnumerateArray()
                .GroupBy(p => p.GetProperty("tag").GetString()!, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First().GetProperty("value").GetString()!, StringComparer.Ordinal);
            var path = System.IO.Path.Combine(corpus.Directory, file.GetProperty("file").GetString()!);
            using var dicom = DicomFile.Open(path, DicomReadOptions.StopBeforePixelData);
            instances.Add(new CorpusInstance(
                path,
                file.GetProperty("transfer_syntax").GetString()!,
                file.GetProperty("charset").ValueKind == JsonValueKind.String ? file.GetProperty("charset").GetString() : null,
                dicom.Dataset.GetString(DicomTags.SOPClassUID)!,
                planted["(0008,0018)"],
                planted["(0020,000E)"],
                planted["(0020,000D)"],
                planted["(0010,0020)"],
                planted["(0010,0010)"],
                planted["(0008,0020)"],
                dicom.Dataset.GetString(DicomTags.Modality)!));
        }

        return instances;
    }
}
