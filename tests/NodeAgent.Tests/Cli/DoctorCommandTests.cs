using System.Text.Json;
using NodeAgent.Cli;
using NodeAgent.Service.Diagnostics;
using NodeAgent.Testing;
using NodeAgent.Testing.Peers;

namespace NodeAgent.Tests.Cli;

/// <summary><c>nodeagent doctor</c> on real sites: a PACS (DCMTK's storescp) that answers, one that is down, certificates near their end.</summary>
public sealed class DoctorCommandTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("nodeagent-doctor-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_folder, recursive: true);

    [Test]
    [Platform(Exclude = "Win", Reason = "DCMTK is installed on the Linux CI machine.")]
    public async Task Each_check_gets_a_line_and_a_failing_one_makes_the_exit_code_non_zero()
    {
        await using var pacs = await DcmtkListener.StartStoreScpAsync("DOCTORPACS", Directory.CreateDirectory(Path.Combine(_folder, "received")).FullName);
        var closed = FreeTcpPort.Pick();
        using var pki = TestPki.Create("Doctor CA");
        var (certificate, key) = TestPki.WritePem(pki.Server(), _folder, "node");
        var ca = pki.WriteCaPem(_folder, "ca");
        var secret = Path.Combine(_folder, "site.secret");
        await File.WriteAllBytesAsync(secret, System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        var site = Write("site.json", $$"""
            { "NodeAgent": {
                "SiteSecretFile": "{{secret}}",
                "Catalogue": { "Path": "{{Path.Combine(_folder, "data", "catalogue.db")}}" },
                "Federation": { "Listen": "127.0.0.1:{{FreeTcpPort.Pick()}}", "SiteId": "doctor-site",
                                "Tls": { "CertificateFile": "{{certificate}}", "KeyFile": "{{key}}", "ClientCaFile": "{{ca}}" },
                                "Requesters": { "hub": { "Subject": "CN=hub", "Roles": [ "count" ] } } },
                "Sources": {
                  "pacs": { "Kind": "dimse", "Host": "127.0.0.1", "Port": {{pacs.Port}}, "CalledAe": "DOCTORPACS" },
                  "old-pacs": { "Kind": "dimse", "Host": "127.0.0.1", "Port": {{closed}}, "CalledAe": "GONE" },
                  "share": { "Kind": "folder", "Path": "{{Path.Combine(_folder, "no-such-share")}}" } } } }
            """);

        var (exit, stdout, stderr) = await RunAsync("doctor", "--config", site, "--format", "json");
        var checks = JsonSerializer.Deserialize<List<Dictionary<string, string>>>(stdout)!.ToDictionary(c => c["check"], c => (Verdict: c["verdict"], Detail: c["detail"]));
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1), stdout + stderr);
            Assert.That(checks["configuration"].Verdict, Is.EqualTo("OK"));
            Assert.That(checks["site secret"].Verdict, Is.EqualTo("OK"));
            Assert.That(checks["source pacs (dimse)"].Verdict, Is.EqualTo("OK"), checks["source pacs (dimse)"].Detail);
            Assert.That(checks["source pacs (dimse)"].Detail, Does.StartWith("C-ECHO to DOCTORPACS@127.0.0.1"));
            Assert.That(checks["source old-pacs (dimse)"].Verdict, Is.EqualTo("FAIL"));
            Assert.That(checks["source old-pacs (dimse)"].Detail, Does.Contain("refused"));
            Assert.That(checks["source share (folder)"].Verdict, Is.EqualTo("FAIL"));
            Assert.That(checks["certificate (node)"].Verdict, Is.EqualTo("WARN"), "the test certificate ends within 30 days");
            Assert.That(checks["certificate (requesters' CA)"].Verdict, Is.EqualTo("OK"));
            Assert.That(checks["disk (catalogue)"].Verdict, Is.Not.Empty);
            Assert.That(checks["catalogue"].Verdict, Is.EqualTo("WARN"), "not created yet");
        });

        var (tableExit, table, _) = await RunAsync("doctor", "--config", site);
        Assert.Multiple(() =>
        {
            Assert.That(tableExit, Is.EqualTo(1));
            Assert.That(table, Does.Contain("FAIL  source old-pacs (dimse)").And.Contain("OK    source pacs (dimse)").And.Contain("2 check(s) failed"));
        });
    }

    [Test]
    public async Task A_configuration_that_does_not_load_is_one_failed_check()
    {
        var site = Write("site.json", """{ "NodeAgent": { "Sources": { "pacs": { "Kind": "dimse", "Port": 104 } } } }""");
        var (exit, stdout, _) = await RunAsync("doctor", "--config", site);
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(stdout, Does.StartWith("FAIL  configuration").And.Contain("Host"));
        });
    }

    [Test]
    public void An_expired_certificate_fails_and_a_clock_minutes_off_its_servers_warns()
    {
        using var pki = TestPki.Create("Doctor CA");
        using var expired = pki.Client("CN=old", expired: true);
        using var fresh = pki.Client("CN=new");
        var now = DateTimeOffset.UtcNow;
        Assert.Multiple(() =>
        {
            Assert.That(SiteDoctor.Expiry("c", expired, now).Verdict, Is.EqualTo(Verdict.Fail));
            Assert.That(SiteDoctor.Expiry("c", fresh, now.AddHours(-12)).Verdict, Is.EqualTo(Verdict.Ok), "30.5 days left then");
            Assert.That(SiteDoctor.Expiry("c", fresh, now.AddDays(2)).Verdict, Is.EqualTo(Verdict.Warn), "28 days left then");
            Assert.That(SiteDoctor.Expiry("c", fresh, now.AddDays(-5)).Verdict, Is.EqualTo(Verdict.Fail), "not yet valid: a clock behind");
            Assert.That(SiteDoctor.ClockCheck(now, [TimeSpan.FromSeconds(3)]).Verdict, Is.EqualTo(Verdict.Ok));
            Assert.That(SiteDoctor.ClockCheck(now, [TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(-9)]).Verdict, Is.EqualTo(Verdict.Warn));
            Assert.That(SiteDoctor.ClockCheck(new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero), []).Verdict, Is.EqualTo(Verdict.Fail));
        });
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args) => CommandRun.RunAsync(args);
}
