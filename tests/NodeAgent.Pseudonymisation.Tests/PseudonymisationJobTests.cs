using NodeAgent.Dicom;
using NodeAgent.Pseudonymisation.Batch;
using NodeAgent.Pseudonymisation.Keys;
using NodeAgent.Pseudonymisation.Profiles;

namespace NodeAgent.Pseudonymisation.Tests;

public sealed class PseudonymisationJobTests
{
    private string _root = null!;
    private string Input => Path.Combine(_root, "in");
    private string Output => Path.Combine(_root, "out");
    private string Quarantine => Path.Combine(_root, "quarantine");

    [SetUp]
    public void CreateTree()
    {
        _root = Directory.CreateTempSubdirectory("nodeagent-job-").FullName;
        for (var i = 1; i <= 6; i++)
        {
            var path = Path.Combine(Input, $"P{i % 2}", $"S{i}", $"I{i}.dcm");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            TestInstances.File(TestInstances.Ct(i)).Save(path);
        }

        TestInstances.File(TestInstances.Ultrasound()).Save(Path.Combine(Input, "P0", "us.dcm"));
        var good = File.ReadAllBytes(Path.Combine(Input, "P1", "S1", "I1.dcm"));
        File.WriteAllBytes(Path.Combine(Input, "P1", "truncated.dcm"), good[..(good.Length / 2)]);
        File.WriteAllBytes(Path.Combine(Input, "P1", "notes.txt"), "not DICOM at all"u8.ToArray());
        File.WriteAllText(Path.Combine(Input, ".DS_Store"), "hidden");
    }

    [TearDown]
    public void DeleteTree() => Directory.Delete(_root, recursive: true);

    private PseudonymisationJob Job(int jobs = 2) =>
        new(new Pseudonymiser(PseudonymisationProfile.Load("basic"), SiteSecret.FromBytes(new byte[32])), new PseudonymisationJobOptions(Input, Output, Quarantine) { Jobs = jobs });

    [Test]
    public void Mirrors_the_tree_quarantines_with_reasons_and_never_writes_partial_outputs()
    {
        var summary = Job().Run();
        Assert.Multiple(() =>
        {
            Assert.That((summary.Total, summary.Done, summary.Quarantined, summary.Failed), Is.EqualTo((9, 6, 3, 0)));
            Assert.That(summary.QuarantineReasons, Is.EquivalentTo(new Dictionary<string, int> { [QuarantineReason.BurnedInAnnotation] = 1, [QuarantineReason.Malformed] = 2 }));
            Assert.That(File.Exists(Path.Combine(Output, "P1", "S1", "I1.dcm")), Is.True);
            Assert.That(File.Exists(Path.Combine(Output, "P1", "truncated.dcm")) || File.Exists(Path.Combine(Output, "P0", "us.dcm")), Is.False);
            Assert.That(File.ReadAllText(Path.Combine(Quarantine, "P0", "us.dcm.reason.txt")), Does.StartWith("burned-in-annotation: Burned In Annotation is YES"));
            Assert.That(File.ReadAllText(Path.Combine(Quarantine, "P1", "truncated.dcm.reason.txt")), Does.StartWith("malformed: "));
            Assert.That(File.ReadAllBytes(Path.Combine(Quarantine, "P1", "notes.txt")), Is.EqualTo("not DICOM at all"u8.ToArray()), "the original is set aside unchanged");
            Assert.That(Directory.EnumerateFiles(_root, "*partial*", SearchOption.AllDirectories), Is.Empty);
        });
        using var output = DicomFile.Open(Path.Combine(Output, "P1", "S1", "I1.dcm"));
        Assert.That(output.Dataset.GetString(DicomTags.PatientIdentityRemoved), Is.EqualTo("YES"));
    }

    [Test]
    public void A_second_run_skips_what_is_done_and_finishes_the_rest()
    {
        Job().Run();
        File.Delete(Path.Combine(Output, "P0", "S2", "I2.dcm"));
        File.WriteAllText(Path.Combine(Output, "P0", "S4", "I4.dcm.nodeagent-partial"), "left by a killed run");
        var second = Job(jobs: 1).Run();
        Assert.Multiple(() =>
        {
            Assert.That((second.Done, second.AlreadyDone, second.Quarantined), Is.EqualTo((1, 5, 3)));
            Assert.That(File.Exists(Path.Combine(Output, "P0", "S2", "I2.dcm")), Is.True);
        });
    }

    [Test]
    public void A_cancelled_run_stops_and_reports_it()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        var summary = Job().Run(cancellationToken: cancellation.Token);
        Assert.That(summary.Interrupted, Is.True);
        Assert.That(summary.Done, Is.EqualTo(0));
    }

    [TestCase("out-inside-in")]
    [TestCase("quarantine-inside-out")]
    [TestCase("same")]
    public void Folders_that_overlap_are_refused(string layout)
    {
        var (output, quarantine) = layout switch
        {
            "out-inside-in" => (Path.Combine(Input, "research"), Quarantine),
            "quarantine-inside-out" => (Output, Path.Combine(Output, "q")),
            _ => (Output, Output),
        };
        Assert.That(
            () => new PseudonymisationJob(new Pseudonymiser(PseudonymisationProfile.Load("basic"), SiteSecret.FromBytes(new byte[32])), new PseudonymisationJobOptions(Input, output, quarantine)),
            Throws.ArgumentException.With.Message.Contains("use separate folders"));
    }

    [Test]
    public void A_missing_input_folder_is_named() =>
        Assert.That(
            () => new PseudonymisationJob(new Pseudonymiser(PseudonymisationProfile.Load("basic"), SiteSecret.FromBytes(new byte[32])), new PseudonymisationJobOptions(Path.Combine(_root, "nope"), Output, Quarantine)),
            Throws.ArgumentException.With.Message.Contains("does not exist"));
}

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
[Platform(Exclude = "Win", Reason = "symbolic links and FIFOs")]
public sealed class PseudonymisationJobFileSystemTests
{
    private string _root = null!;

    [SetUp]
    public void CreateRoot()
    {
        _root = Directory.CreateTempSubdirectory("nodeagent-jobfs-").FullName;
        Directory.CreateDirectory(Path.Combine(_root, "in", "a"));
        TestInstances.File(TestInstances.Ct(1)).Save(Path.Combine(_root, "in", "a", "I1.dcm"));
    }

    [TearDown]
    public void DeleteRoot() => Directory.Delete(_root, recursive: true);

    private PseudonymisationJob Job(string output, string quarantine, string profile = "basic") =>
        new(new Pseudonymiser(PseudonymisationProfile.Load(profile), SiteSecret.FromBytes(new byte[32])), new PseudonymisationJobOptions(Path.Combine(_root, "in"), output, quarantine));

    [Test]
    public void Links_are_not_followed_and_pipes_are_never_opened()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "in", "a", "zero.dcm"), "/dev/zero");
        Directory.CreateSymbolicLink(Path.Combine(_root, "in", "a", "loop"), "..");
        var fifo = Path.Combine(_root, "in", "a", "pipe.dcm");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            mkfifo.WaitForExit();
        }

        var summary = Job(Path.Combine(_root, "out"), Path.Combine(_root, "q")).Run();
        Assert.Multiple(() =>
        {
            Assert.That((summary.Total, summary.Done, summary.Quarantined), Is.EqualTo((2, 1, 1)), "the links are skipped; the pipe is set aside unopened");
            Assert.That(File.ReadAllText(Path.Combine(_root, "q", "a", "pipe.dcm.reason.txt")), Does.Contain("not a regular file"));
        });
    }

    [Test]
    public void An_output_reached_through_a_link_into_the_input_is_refused()
    {
        Directory.CreateSymbolicLink(Path.Combine(_root, "link"), Path.Combine(_root, "in"));
        Assert.That(() => Job(Path.Combine(_root, "link", "out"), Path.Combine(_root, "q")), Throws.ArgumentException.With.Message.Contains("inside the input"));
    }

    [Test]
    public void Resuming_with_another_profile_or_key_is_refused()
    {
        var output = Path.Combine(_root, "out");
        Job(output, Path.Combine(_root, "q")).Run();
        Assert.That(() => Job(output, Path.Combine(_root, "q"), "research").Run(), Throws.ArgumentException.With.Message.Contains("another profile or key"));
    }
}
