using System.Diagnostics;
using NodeAgent.Testing.Peers;

namespace NodeAgent.IntegrationTests.PeerFixtures;

/// <summary>An Orthanc started by the fixture never outlives it, whether it started or failed to.</summary>
[TestFixture]
[Category("Peers")]
public sealed class OrthancLifetimeTests
{
    // Each test's Orthanc folders go under a folder of its own, so that what is left behind can be
    // told apart from other test runs' Orthancs.
    private string _parent = null!;

    [SetUp]
    public void CreateParentFolder() => _parent = Directory.CreateTempSubdirectory("nodeagent-orthanc-lifetime-").FullName;

    [TearDown]
    public void DeleteParentFolder() => Directory.Delete(_parent, recursive: true);

    [Test]
    public async Task Dispose_stops_Orthanc_and_deletes_its_folder()
    {
        var orthanc = await OrthancInstance.StartAsync(new OrthancStartOptions { ParentDirectory = _parent });
        var pid = orthanc.Pid;
        Assert.That(ProcessLiveness.IsAlive(pid), Is.True);
        Assert.That(orthanc.Directory, Does.StartWith(_parent));

        await orthanc.DisposeAsync();
        await orthanc.DisposeAsync();

        Assert.That(ProcessLiveness.IsAlive(pid), Is.False);
        Assert.That(Directory.Exists(orthanc.Directory), Is.False);
    }

    [Test]
    public async Task A_failed_start_leaves_no_Orthanc_and_no_folder()
    {
        // Orthanc starts, but without the DICOMweb plugin orthanc-up.sh's readiness check fails and the start is abandoned.
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => OrthancInstance.StartAsync(new OrthancStartOptions
        {
            ParentDirectory = _parent,
            ConfigurationOverrides = """{"Plugins": ["/nonexistent/libNoSuchPlugin.so"]}""",
            StartTimeout = TimeSpan.FromSeconds(20),
        }));

        Assert.That(failure!.Message, Does.Contain("orthanc-up.sh failed"));
        Assert.That(Directory.GetFileSystemEntries(_parent), Is.Empty);
        Assert.That(OrthancsRunningUnder(_parent), Is.Empty);
    }

    [Test]
    public async Task Overrides_that_are_not_a_JSON_object_are_refused_before_anything_starts()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => OrthancInstance.StartAsync(new OrthancStartOptions
        {
            ParentDirectory = _parent,
            ConfigurationOverrides = "[1, 2]",
        }));

        Assert.That(Directory.GetFileSystemEntries(_parent), Is.Empty);
    }

    /// <summary>Running (not zombie) Orthanc processes whose configuration file lies under the folder.</summary>
    private static int[] OrthancsRunningUnder(string folder)
    {
        var processes = Process.GetProcessesByName("Orthanc");
        try
        {
            return processes
                .Select(p => p.Id)
                .Where(pid => ProcessLiveness.IsAlive(pid) && CommandLine(pid).Contains(folder, StringComparison.Ordinal))
                .ToArray();
        }
        finally
        {
            foreach (var process in processes)
            {
                process.Dispose();
            }
        }
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline");
        }
        catch (IOException)
        {
            return "";
        }
    }
}
