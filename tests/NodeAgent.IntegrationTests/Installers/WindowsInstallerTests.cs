using NodeAgent.Testing;

namespace NodeAgent.IntegrationTests.Installers;

/// <summary>
/// The Windows MSI, built here by <c>installers/windows/build-msi.sh</c> (wixl) from a self-contained
/// win-x64 publish, and read back with msitools: what Windows Installer would do with it is in its tables.
/// </summary>
[Platform(Include = "Linux", Reason = "Built with Debian's msitools.")]
[NonParallelizable]
public sealed class WindowsInstallerTests
{
    private string _work = null!;
    private string _publish = null!;
    private string _msi = null!;

    [OneTimeSetUp]
    public void BuildInstaller()
    {
        _work = Directory.CreateTempSubdirectory("nodeagent-msi-").FullName;
        _publish = Path.Combine(_work, "publish");
        var published = ExternalProcess.Run("dotnet", ["publish", Path.Combine(RepositoryPaths.RepositoryRoot, "src", "NodeAgent", "NodeAgent.csproj"), "-c", "Release", "-r", "win-x64", "--self-contained", "-o", _publish, "--nologo", "-v", "quiet"], timeout: TimeSpan.FromMinutes(10));
        Assert.That(published.ExitCode, Is.Zero, published.StandardOutput + published.StandardError);
        var built = Run("bash", Path.Combine(RepositoryPaths.RepositoryRoot, "installers", "windows", "build-msi.sh"), "--publish", _publish, "--version", "0.1.0", "--output", _work);
        Assert.That(built.ExitCode, Is.Zero, built.StandardError);
        _msi = built.StandardOutput.Trim().Split('\n')[^1];
    }

    [OneTimeTearDown]
    public void RemoveWork() => Directory.Delete(_work, recursive: true);

    [Test]
    public void The_service_is_installed_under_its_virtual_account_stopped_and_removed_with_the_product()
    {
        var service = Rows("ServiceInstall").Single();
        var control = Rows("ServiceControl").Single();
        Assert.Multiple(() =>
        {
            Assert.That(service[1], Is.EqualTo("NodeAgent"));
            Assert.That(service[3], Is.EqualTo("16"), "its own process");
            Assert.That(service[4], Is.EqualTo("2"), "automatic start");
            Assert.That(service[8], Is.EqualTo(@"NT SERVICE\NodeAgent"), "a virtual service account, no password");
            Assert.That(service[10], Is.EqualTo(@"run --config ""[CommonAppDataFolder]NodeAgent\appsettings.json"""));
            Assert.That(control[1], Is.EqualTo("NodeAgent"));
            Assert.That(int.Parse(control[2], System.Globalization.CultureInfo.InvariantCulture) & (2 | 32 | 128), Is.EqualTo(2 | 32 | 128), "stopped on install and uninstall, removed on uninstall");
        });
    }

    [Test]
    public void The_sites_configuration_is_never_overwritten_nor_removed_and_upgrades_replace_older_versions()
    {
        var site = Rows("Component").Single(r => r[0] == "SiteConfiguration");
        var upgrades = Rows("Upgrade");
        Assert.Multiple(() =>
        {
            Assert.That(int.Parse(site[3], System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(256 | 16 | 128), "64-bit, permanent, never overwritten");
            Assert.That(upgrades.Select(u => u[^1]), Is.EquivalentTo(new[] { "WIX_UPGRADE_DETECTED", "WIX_DOWNGRADE_DETECTED" }));
        });
    }

    [Test]
    public void Every_published_file_is_in_the_package_byte_for_byte_and_no_symbols()
    {
        var extracted = Directory.CreateDirectory(Path.Combine(_work, "extracted")).FullName;
        var result = Run("msiextract", "-C", extracted, _msi);
        Assert.That(result.ExitCode, Is.Zero, result.StandardError);
        var programFiles = Directory.GetDirectories(extracted, "NodeAgent", SearchOption.AllDirectories).Single(d => File.Exists(Path.Combine(d, "nodeagent.exe")));
        var published = Directory.GetFiles(_publish, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".pdb", StringComparison.Ordinal)).Select(f => Path.GetRelativePath(_publish, f)).Order(StringComparer.Ordinal).ToList();
        var packaged = Directory.GetFiles(programFiles, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(programFiles, f)).Order(StringComparer.Ordinal).ToList();
        Assert.Multiple(() =>
        {
            // msiextract puts Program Files\NodeAgent and ProgramData\NodeAgent in one folder: the site file joins the program's.
            Assert.That(packaged, Is.EqualTo(published.Append("appsettings.json").Order(StringComparer.Ordinal)));
            Assert.That(File.ReadAllText(Path.Combine(programFiles, "appsettings.json")), Is.EqualTo(File.ReadAllText(Path.Combine(RepositoryPaths.RepositoryRoot, "installers", "windows", "appsettings.site.json"))));
            Assert.That(File.ReadAllBytes(Path.Combine(programFiles, "nodeagent.exe")), Is.EqualTo(File.ReadAllBytes(Path.Combine(_publish, "nodeagent.exe"))));
            Assert.That(File.ReadAllText(Path.Combine(programFiles, "config", "appsettings.json")), Is.EqualTo(File.ReadAllText(Path.Combine(_publish, "config", "appsettings.json"))));
        });
    }

    private List<string[]> Rows(string table)
    {
        var result = Run("msiinfo", "export", _msi, table);
        Assert.That(result.ExitCode, Is.Zero, result.StandardError);

        // An IDT export: column names, column types, the table's name and keys, then the rows.
        return result.StandardOutput.Replace("\r", "", StringComparison.Ordinal).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(3).Select(line => line.Split('\t')).ToList();
    }

    private static ProcessResult Run(params string[] command) => ExternalProcess.Run(command[0], command[1..], timeout: TimeSpan.FromMinutes(5));
}
