using System.Globalization;
using System.Text.Json;
using NodeAgent.Testing;

namespace NodeAgent.Tests.Cli;

/// <summary>
/// This NodeAgent started on data folders that earlier versions wrote (tests/NodeAgent.Tests/Upgrades,
/// made by make-fixtures.sh from this repository's history over a synthetic corpus): the catalogue is
/// migrated and counts as before, the same query releases the same values (same data, same secret),
/// is not charged again, and the audit log's chain goes on across the versions.
/// </summary>
[Platform(Exclude = "Win", Reason = "SIGTERM is sent with kill(1); the secret's mode is set the Unix way.")]
public sealed class UpgradeTests
{
    private static readonly string[] Levels = ["patients", "studies", "series", "instances"];
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("nodeagent-upgrade-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_folder, recursive: true);

    [TestCase("schema1-5bf18fc", false, Description = "catalogue schema 1, from the first catalogue release")]
    [TestCase("service-43aceb9", true, Description = "a node that answered the hub: catalogue, audit log, privacy ledger")]
    public async Task A_data_folder_of_an_earlier_version_is_migrated_and_answers_as_before(string fixture, bool answeredTheHub)
    {
        var data = Copy(fixture);
        var catalogue = Path.Combine(data, "data", "catalogue.db");
        var audit = Path.Combine(data, "data", "audit.log");
        var ledger = Path.Combine(data, "data", "privacy-ledger.jsonl");
        Assert.That(File.Exists(catalogue), Is.True, "the fixture's catalogue is in the repository");
        Assert.That(File.Exists(audit) && File.Exists(ledger), Is.EqualTo(answeredTheHub), "the fixture's audit log and ledger are in the repository");
        var auditBefore = answeredTheHub ? await File.ReadAllTextAsync(audit) : "";
        var ledgerBefore = answeredTheHub ? await File.ReadAllLinesAsync(ledger) : [];
        var port = NodeAgent.Testing.Peers.FreeTcpPort.Pick();
        var site = Path.Combine(_folder, "site.json");

        // The disclosure policy is the default, as when the earlier version answered.
        await File.WriteAllTextAsync(site, $$"""
            { "NodeAgent": { "Development": true, "HealthListen": "", "SiteSecretFile": "{{Json(Path.Combine(data, "site.secret"))}}",
              "Catalogue": { "Path": "{{Json(catalogue)}}" },
              "Federation": { "Listen": "127.0.0.1:{{port}}" } } }
            """);
        var expectedCounts = await File.ReadAllLinesAsync(Path.Combine(data, "expected-counts.txt"));
        using var service = ServiceUnderTest.Start(site, out var output);
        try
        {
            var series = expectedCounts.Single(l => l.StartsWith("series: ", StringComparison.Ordinal))["series: ".Length..];
            await ServiceUnderTest.WaitForAsync(service, output, TimeSpan.FromSeconds(60), $": {series} series", "Now listening on");

            // Counted from the migrated file (query count reads only the current schema).
            foreach (var level in Levels)
            {
                var (exit, stdout, stderr) = await CommandRun.RunAsync("query", "count", "--db", catalogue, "--level", level);
                Assert.That(exit, Is.Zero, stderr);
                Assert.That(stdout.Split('\n')[0].Trim(), Is.EqualTo(expectedCounts.Single(l => l.StartsWith(level + ":", StringComparison.Ordinal))));
            }

            // The queries the earlier version answered: the same canonical query and the same released
            // values (noise is keyed on the data and the site secret, neither changed).
            var asked = 0;
            var queries = new[] { ("expected-hub-count-all.json", Array.Empty<string>()), ("expected-hub-count-age-50.json", ["--age", "50-"]) };
            for (var round = 0; round < 2; round++)
            {
                foreach (var (expectedFile, query) in queries)
                {
                    var (exit, stdout, stderr) = await CommandRun.RunAsync(["hub", "count", "--node", $"http://127.0.0.1:{port}", "--format", "json", .. query]);
                    Assert.That(exit, Is.Zero, stderr);
                    asked++;
                    if (answeredTheHub)
                    {
                        Assert.That(Released(stdout), Is.EqualTo(Released(await File.ReadAllTextAsync(Path.Combine(data, expectedFile)))), expectedFile);
                    }
                }

                if (answeredTheHub && round == 0)
                {
                    // Not charged as new releases: in the month of the fixture nothing is added; in a
                    // later month (budgets renew monthly) only the same releases, under the same keys.
                    var keysBefore = ledgerBefore.Select(LedgerKey).ToHashSet(StringComparer.Ordinal);
                    var added = (await File.ReadAllLinesAsync(ledger)).Skip(ledgerBefore.Length).ToList();
                    Assert.That(added.Select(LedgerKey), Is.SubsetOf(keysBefore), "the same queries on the same data are the same releases");
                    ledgerBefore = await File.ReadAllLinesAsync(ledger);
                }
            }

            if (answeredTheHub)
            {
                Assert.That(await File.ReadAllLinesAsync(ledger), Is.EqualTo(ledgerBefore), "asked again in the same month: not charged again");
            }

            using (var term = System.Diagnostics.Process.Start("kill", ["-TERM", service.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await service.WaitForExitAsync(timeout.Token);
            Assert.That(service.ExitCode, Is.Zero);

            // The audit log goes on from the earlier version's last line, which is left as it was.
            var (verifyExit, verified, verifyError) = await CommandRun.RunAsync("audit", "verify", "--config", site);
            var earlierLines = auditBefore.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
            Assert.Multiple(async () =>
            {
                Assert.That(verifyExit, Is.Zero, verified + verifyError);
                Assert.That(verified, Does.Contain($"{earlierLines + asked} entries, chain intact"));
                Assert.That(await File.ReadAllTextAsync(audit), Does.StartWith(auditBefore));
            });
        }
        finally
        {
            await ServiceUnderTest.KillIfRunningAsync(service);
        }
    }

    private string Copy(string fixture)
    {
        var source = Path.Combine(RepositoryPaths.RepositoryRoot, "tests", "NodeAgent.Tests", "Upgrades", fixture);
        var target = Path.Combine(_folder, fixture);
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        // A clone does not keep file modes; the service reads only a secret no one else can.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(target, "site.secret"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return target;
    }

    /// <summary>The canonical query's hash and the released values of the one node in a <c>hub count --format json</c> answer.</summary>
    private static string Released(string json)
    {
        var node = JsonDocument.Parse(json).RootElement.GetProperty("nodes")[0];
        return $"query {node.GetProperty("queryHash")}: " + string.Join(", ", Levels.Select(l => $"{l}={node.GetProperty(l)}"));
    }

    private static string LedgerKey(string line) => JsonDocument.Parse(line).RootElement.GetProperty("Key").GetString()!;

    private static string Json(string path) => path.Replace("\\", "\\\\", StringComparison.Ordinal);
}
