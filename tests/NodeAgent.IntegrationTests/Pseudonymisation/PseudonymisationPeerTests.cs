using System.Text.Json.Nodes;
using NodeAgent.Dicom;
using NodeAgent.Dicom.Dictionary;
using NodeAgent.IntegrationTests.Peers;
using NodeAgent.Testing;

namespace NodeAgent.IntegrationTests.Pseudonymisation;

/// <summary>
/// The "what must hold", against the peers: the shared phi-leak-check finds nothing, pydicom
/// and DCMTK read every output, dciodvfy reports no more errors than for the input, pixel data is
/// byte-identical, every UID is replaced consistently across files, dates move as the profile says.
/// </summary>
[TestFixture("basic")]
[TestFixture("research")]
[Parallelizable(ParallelScope.Fixtures)]
public sealed class PseudonymisationPeerTests(string profile)
{
    private PseudonymisedCorpus.Run _run = null!;

    [OneTimeSetUp]
    public void Pseudonymise() => _run = PseudonymisedCorpus.For(profile);

    [OneTimeTearDown]
    public void DeleteOutputs() => PseudonymisedCorpus.Delete(_run);

    [Test]
    public void Every_input_is_pseudonymised_or_quarantined_with_its_reason()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(PseudonymisedCorpus.Corpus.ManifestPath))!["files"]!.AsArray();
        var burnedIn = manifest.Count(f => f!["burned_in_annotation"]!.ToJsonString() is "true" or "\"YES\"" || (string?)f!["modality"] == "US");
        var summary = _run.Summary;
        Assert.Multiple(() =>
        {
            Assert.That(summary.Total, Is.EqualTo(manifest.Count));
            Assert.That(summary.Failed, Is.Zero);
            Assert.That(summary.Quarantined, Is.EqualTo(burnedIn), "ultrasound carries burned-in text and no pixel rule is configured");
            Assert.That(summary.Done + summary.Quarantined, Is.EqualTo(manifest.Count));
            Assert.That(Directory.GetFiles(_run.Quarantine, "*.reason.txt", SearchOption.AllDirectories), Has.Length.EqualTo(burnedIn));
        });
    }

    [Test]
    public void The_shared_phi_leak_check_finds_no_planted_value()
    {
        var report = Path.Combine(Path.GetDirectoryName(_run.Output)!, "leaks.json");
        var result = ExternalProcess.Run("/usr/bin/python3", [RepositoryPaths.Tool("phi-leak-check.py"), PseudonymisedCorpus.Corpus.ManifestPath, _run.Output, "--json", report, "--quiet"], timeout: TimeSpan.FromMinutes(5));
        var leaks = JsonNode.Parse(File.ReadAllText(report))!;
        Assert.Multiple(() =>
        {
            Assert.That((int)leaks["files_checked"]!, Is.EqualTo(_run.Summary.Done));
            Assert.That((int)leaks["files_with_leaks"]!, Is.Zero, () => leaks["leaks_by_path"]!.ToJsonString());
            Assert.That(leaks["leaks_distinctive_text_by_kind"]!.AsObject(), Is.Empty);
            Assert.That(result.ExitCode, Is.Zero);
        });
    }

    [Test]
    public void Every_output_is_read_by_pydicom_and_dcmdump()
    {
        var script = "import pydicom,sys\nn=0\nfor p in sys.argv[1:]:\n    ds=pydicom.dcmread(p)\n    ds.PixelData if 'PixelData' in ds else None\n    [e for e in ds.iterall()]\n    n+=1\nprint(n)";
        var outputs = PseudonymisedCorpus.Pairs(_run).Select(p => p.Output).ToArray();
        var pydicom = ExternalProcess.Run("/usr/bin/python3", ["-c", script, .. outputs], timeout: TimeSpan.FromMinutes(5));
        var dcmdump = ExternalProcess.Run("dcmdump", ["-q", "+sd", "+r", "-dc", _run.Output], timeout: TimeSpan.FromMinutes(5));
        Assert.Multiple(() =>
        {
            Assert.That(pydicom.ExitCode, Is.Zero, pydicom.StandardError);
            Assert.That(pydicom.StandardOutput.Trim(), Is.EqualTo(outputs.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(dcmdump.ExitCode, Is.Zero, dcmdump.StandardError);
            Assert.That(dcmdump.StandardError, Does.Not.Contain("E:"));
        });
    }

    [Test]
    public void Dciodvfy_reports_no_more_errors_than_for_the_input()
    {
        var scratch = Directory.CreateTempSubdirectory("nodeagent-dciodvfy-").FullName;
        try
        {
            // One file per series: every modality and transfer syntax, in reasonable time.
            var sample = PseudonymisedCorpus.Pairs(_run).GroupBy(p => Path.GetDirectoryName(p.Output)).Select(g => g.First()).ToList();
            Assert.That(sample, Has.Count.GreaterThan(20));
            foreach (var (input, output) in sample)
            {
                Assert.That(Dciodvfy.CountErrors(output, scratch), Is.LessThanOrEqualTo(Dciodvfy.CountErrors(input, scratch)), Path.GetRelativePath(_run.Output, output));
            }
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    [Test]
    public void Pixel_data_is_byte_identical()
    {
        foreach (var (input, output) in PseudonymisedCorpus.Pairs(_run))
        {
            using var before = DicomFile.Open(input);
            using var after = DicomFile.Open(output);
            Assert.That(PixelBytes(after), Is.EqualTo(PixelBytes(before)), Path.GetRelativePath(_run.Output, output));
        }
    }

    [Test]
    public void Every_uid_is_replaced_consistently_and_references_follow()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var outputInstances = new HashSet<string>(StringComparer.Ordinal);
        var references = new List<(string Before, string After)>();
        foreach (var (input, output) in PseudonymisedCorpus.Pairs(_run))
        {
            using var before = DicomFile.Open(input, NodeAgent.Dicom.IO.DicomReadOptions.StopBeforePixelData);
            using var after = DicomFile.Open(output, NodeAgent.Dicom.IO.DicomReadOptions.StopBeforePixelData);
            foreach (var tag in new[] { DicomTags.StudyInstanceUID, DicomTags.SeriesInstanceUID, DicomTags.SOPInstanceUID, DicomTags.FrameOfReferenceUID })
            {
                if (before.Dataset.GetString(tag) is { Length: > 0 } original)
                {
                    var mapped = after.Dataset.GetString(tag)!;
                    Assert.That(mapped, Does.StartWith("2.25."));
                    Assert.That(map.GetValueOrDefault(original, mapped), Is.EqualTo(mapped), $"{original} maps to one UID in every file");
                    map[original] = mapped;
                }
            }

            outputInstances.Add(after.Dataset.GetString(DicomTags.SOPInstanceUID)!);
            Assert.That(after.FileMetaInformation.GetString(DicomTags.MediaStorageSOPInstanceUID), Is.EqualTo(after.Dataset.GetString(DicomTags.SOPInstanceUID)));
            var (referencedBefore, referencedAfter) = (new List<string>(), new List<string>());
            CollectUids(before.Dataset, referencedBefore, DicomTags.ReferencedSOPInstanceUID);
            CollectUids(after.Dataset, referencedAfter, DicomTags.ReferencedSOPInstanceUID);
            Assert.That(referencedAfter, Has.Count.EqualTo(referencedBefore.Count));
            references.AddRange(referencedBefore.Zip(referencedAfter));
            AssertNoOriginalUid(after.Dataset);
        }

        Assert.That(map.Values.Distinct().Count(), Is.EqualTo(map.Count), "distinct UIDs stay distinct");
        Assert.That(references, Is.Not.Empty, "the corpus has SEGs and references");
        var toSourcesInTheSet = references.Where(r => map.ContainsKey(r.Before)).ToList();
        Assert.That(toSourcesInTheSet, Is.Not.Empty, "some SEGs refer to images of the corpus");
        Assert.Multiple(() =>
        {
            foreach (var (before, after) in toSourcesInTheSet)
            {
                Assert.That(after, Is.EqualTo(map[before]), "a reference points at the new UID of its source");
                Assert.That(outputInstances, Does.Contain(after));
            }
        });
    }

    private static byte[] PixelBytes(DicomFile file) => file.Dataset[DicomTags.PixelData] switch
    {
        DicomElement element => element.GetBytes().ToArray(),
        DicomFragmentSequence fragments => fragments.Fragments.SelectMany(f => f.GetBytes().ToArray()).ToArray(),
        _ => [],
    };

    private static void CollectUids(DicomDataset dataset, List<string> into, DicomTag tag)
    {
        foreach (var item in dataset)
        {
            if (item is DicomSequence sequence)
            {
                foreach (var child in sequence.Items)
                {
                    if (child.GetString(tag) is { Length: > 0 } uid)
                    {
                        into.Add(uid);
                    }

                    CollectUids(child, into, tag);
                }
            }
        }
    }

    private static void AssertNoOriginalUid(DicomDataset dataset)
    {
        foreach (var item in dataset)
        {
            if (item is DicomSequence sequence)
            {
                foreach (var child in sequence.Items)
                {
                    AssertNoOriginalUid(child);
                }
            }
            else if (item.VR == DicomVR.UI && item is DicomElement element)
            {
                foreach (var uid in dataset.GetStrings(item.Tag))
                {
                    Assert.That(uid.StartsWith("2.25.", StringComparison.Ordinal) || DicomUidRegistry.Find(uid) is not null, Is.True, $"{item.Tag} still holds an original UID");
                }
            }
        }
    }
}
