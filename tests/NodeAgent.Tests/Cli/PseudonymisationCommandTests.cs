using NodeAgent.Cli;
using NodeAgent.Dicom;

namespace NodeAgent.Tests.Cli;

/// <summary><c>nodeagent pseudonymise</c> and <c>nodeagent profile check|explain</c>: messages and exit codes.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
[Platform(Exclude = "Win", Reason = "Unix file modes for the secret.")]
public class PseudonymisationCommandTests
{
    private string _folder = null!;

    private string Input => Path.Combine(_folder, "in");

    [SetUp]
    public void CreateFolder()
    {
        _folder = Directory.CreateTempSubdirectory("nodeagent-cli-pseudo-").FullName;
        Directory.CreateDirectory(Path.Combine(Input, "P1"));
        for (var i = 1; i <= 3; i++)
        {
            Instance(i, "Doe^Jane", "ID-4711").Save(Path.Combine(Input, "P1", $"I{i}.dcm"));
        }

        File.WriteAllText(Path.Combine(Input, "P1", "broken.dcm"), "DICM but not really");
    }

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_folder, recursive: true);

    [Test]
    public async Task Without_a_secret_a_development_secret_is_made_and_the_run_is_summarised()
    {
        var output = Path.Combine(_folder, "out");
        var (exit, stdout, stderr) = await RunAsync("pseudonymise", "--profile", "research", "--input", Input, "--output", output);
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, stderr);
            Assert.That(stderr, Does.Contain("warning: no --secret given").And.Contain("nodeagent-development.secret"));
            Assert.That(File.GetUnixFileMode(Path.Combine(_folder, "nodeagent-development.secret")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            Assert.That(stdout, Does.Contain("4 files").And.Contain("3 done, 0 already done, 1 quarantined, 0 failed"));
            Assert.That(stdout, Does.Contain("malformed"));
            Assert.That(File.Exists(Path.Combine(output + ".quarantine", "P1", "broken.dcm.reason.txt")), Is.True, "the default quarantine is beside the output");
            Assert.That(stdout + stderr, Does.Not.Contain("Doe").And.Not.Contain("ID-4711"), "no identifying value in the CLI's output");
        });

        var (again, secondOut, _) = await RunAsync("pseudonymise", "--profile", "research", "--input", Input, "--output", output);
        Assert.That(again, Is.Zero);
        Assert.That(secondOut, Does.Contain("0 done, 3 already done"));
    }

    [Test]
    public async Task Bad_arguments_get_one_clear_message_and_exit_1()
    {
        var secret = Path.Combine(_folder, "open.secret");
        File.WriteAllBytes(secret, new byte[32]);
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var output = Path.Combine(_folder, "out");
        var cases = new (string[] Args, string Message)[]
        {
            (["--profile", "nosuch"], "No profile 'nosuch'"),
            (["--profile", "basic", "--secret", secret], "chmod 600"),
            (["--profile", "basic", "--reid-store", Path.Combine(_folder, "r")], "--reid-store and --reid-key go together"),
            (["--profile", "basic", "--jobs", "0"], "--jobs must be at least 1"),
        };
        foreach (var (args, message) in cases)
        {
            var (exit, _, stderr) = await RunAsync(["pseudonymise", "--input", Input, "--output", output, .. args]);
            Assert.That(exit, Is.EqualTo(1), string.Join(' ', args));
            Assert.That(stderr, Does.StartWith("nodeagent pseudonymise: ").And.Contain(message));
        }

        var (inside, _, insideError) = await RunAsync("pseudonymise", "--profile", "basic", "--input", Input, "--output", Path.Combine(Input, "research"), "--secret", MakeSecret());
        Assert.That(inside, Is.EqualTo(1));
        Assert.That(insideError, Does.Contain("use separate folders"));
    }

    [Test]
    public async Task Nothing_is_created_for_a_run_that_cannot_start_and_a_bad_reid_key_is_one_line()
    {
        var (exit, _, stderr) = await RunAsync("pseudonymise", "--profile", "basic", "--input", Input, "--output", Path.Combine(Input, "sub", "out"));
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(stderr, Does.Contain("use separate folders"));
            Assert.That(Directory.GetFiles(Input, "*.secret", SearchOption.AllDirectories), Is.Empty, "no development secret made inside the input");
        });

        var key = Path.Combine(_folder, "reid.key");
        File.WriteAllBytes(key, new byte[32]);
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var (reidExit, _, reidError) = await RunAsync("pseudonymise", "--profile", "basic", "--input", Input, "--output", Path.Combine(_folder, "out"), "--secret", MakeSecret(), "--reid-store", Path.Combine(_folder, "reid.store"), "--reid-key", key);
        Assert.That(reidExit, Is.EqualTo(1));
        Assert.That(reidError.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(reidError, Does.Contain("chmod 600"));
    }

    [Test]
    public async Task Profile_check_summarises_a_good_profile_and_lists_every_error_of_a_bad_one()
    {
        var (exit, stdout, _) = await RunAsync("profile", "check", "research");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero);
            Assert.That(stdout, Does.StartWith("profile research: OK (extends basic)"));
            Assert.That(stdout, Does.Contain("RetainSafePrivate").And.Contain("shifted per patient by -1095..-1 days").And.Contain("PatientName (0010,0010): hash of PatientID [basic]"));
        });

        var bad = Path.Combine(_folder, "bad.json");
        File.WriteAllText(bad, """{ "name": "bad", "extends": "basic", "options": ["RetainSomething"], "attributes": [ { "tag": "PatientNam", "action": "keep" } ] }""");
        var (badExit, _, stderr) = await RunAsync("profile", "check", bad);
        Assert.Multiple(() =>
        {
            Assert.That(badExit, Is.EqualTo(1));
            Assert.That(stderr, Does.Contain("unknown option 'RetainSomething'").And.Contain("unknown keyword or tag 'PatientNam'"));
        });
    }

    [Test]
    public async Task Profile_explain_shows_each_element_before_and_after()
    {
        var secret = MakeSecret();
        var (exit, stdout, stderr) = await RunAsync("profile", "explain", "--profile", "basic", "--secret", secret, Path.Combine(Input, "P1", "I1.dcm"), "--changed-only");
        var nameLine = stdout.Split('\n').Single(l => l.StartsWith("(0010,0010)", StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, stderr);
            Assert.That(nameLine, Does.Contain("PatientName").And.Contain("hash (rule of basic)").And.Contain("Doe^Jane -> "));
            Assert.That(stdout, Does.Contain("(0010,0030)").And.Contain("empty (Z, basic profile)"));
            Assert.That(stdout, Does.Not.Contain("(0008,0016)"), "--changed-only hides what is kept");
        });
    }

    private string MakeSecret()
    {
        var path = Path.Combine(_folder, $"site-{Guid.NewGuid():N}.secret");
        File.WriteAllBytes(path, System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    private static DicomFile Instance(int n, string name, string id)
    {
        var ds = new DicomDataset();
        ds.AddOrUpdate(DicomTags.SOPClassUID, DicomVR.UI, DicomUids.CTImageStorage);
        ds.AddOrUpdate(DicomTags.SOPInstanceUID, DicomVR.UI, $"1.2.826.0.1.3680043.8.498.77.{n}");
        ds.AddOrUpdate(DicomTags.StudyDate, DicomVR.DA, "20210405");
        ds.AddOrUpdate(DicomTags.Modality, DicomVR.CS, "CT");
        ds.AddOrUpdate(DicomTags.PatientName, DicomVR.PN, name);
        ds.AddOrUpdate(DicomTags.PatientID, DicomVR.LO, id);
        ds.AddOrUpdate(DicomTags.PatientBirthDate, DicomVR.DA, "19600101");
        ds.AddOrUpdate(DicomTags.StudyInstanceUID, DicomVR.UI, "1.2.826.0.1.3680043.8.498.77");
        ds.AddOrUpdate(DicomTags.SeriesInstanceUID, DicomVR.UI, "1.2.826.0.1.3680043.8.498.78");
        return new DicomFile(ds, DicomTransferSyntax.ExplicitVRLittleEndian);
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await NodeAgentCommandLine.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
