using NodeAgent.Dicom.Tests.Support;
using NodeAgent.Fuzzing;

namespace NodeAgent.Dicom.Tests.IO;

/// <summary>
/// The fast fuzz pass of the CI: fixed seeds, so a failure reproduces. The long run is
/// <c>dotnet run -c Release --project tests/NodeAgent.Fuzzing -- --minutes 30</c>.
/// </summary>
public class ReaderFuzzTests
{
    [TestCase(1, 6000)]
    [TestCase(2, 6000)]
    public void Mutated_files_give_a_typed_error_or_a_dataset_never_anything_else(int seed, int iterations)
    {
        var scratch = DicomFiles.TempPath("fuzz.dcm");
        var campaign = new FuzzCampaign(SeedCorpus.Create(), new DicomReaderFuzzTarget(scratch).Run, seed);

        var findings = campaign.Run(iterations, TimeSpan.FromMinutes(2));

        Assert.That(campaign.Iterations, Is.EqualTo(iterations));
        Assert.That(findings.Select(f => $"{f.Kind}: {f.Detail.Split('\n')[0]}"), Is.Empty);
    }

    [Test]
    public void Every_truncation_of_every_seed_is_handled()
    {
        var scratch = DicomFiles.TempPath("fuzz.dcm");
        var target = new DicomReaderFuzzTarget(scratch);
        var findings = new List<string>();
        foreach (var seed in SeedCorpus.Create())
        {
            for (var cut = 0; cut < seed.Length; cut++)
            {
                if (target.Run(seed[..cut]) is { } finding)
                {
                    findings.Add($"cut {cut}: {finding.Kind}: {finding.Detail.Split('\n')[0]}");
                }
            }
        }

        Assert.That(findings, Is.Empty);
    }
}
