using System.Globalization;
using System.Text.RegularExpressions;
using NodeAgent.Testing;

namespace NodeAgent.IntegrationTests.Installers;

/// <summary>
/// The Debian package as hospital IT gets it: built by <c>installers/linux/build-deb.sh</c> from a
/// self-contained publish, then installed, upgraded, removed and purged with dpkg into a throwaway
/// root (<c>dpkg --root --force-script-chrootless</c>; the maintainer scripts honour DPKG_ROOT).
/// </summary>
[Platform(Include = "Linux", Reason = "Debian packaging.")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[NonParallelizable]
public sealed partial class DebianPackageTests
{
    private string _work = null!;
    private string _first = null!;
    private string _second = null!;

    [OneTimeSetUp]
    public void BuildPackages()
    {
        _work = Directory.CreateTempSubdirectory("nodeagent-deb-").FullName;
        var script = Path.Combine(RepositoryPaths.RepositoryRoot, "installers", "linux", "build-deb.sh");
        var publish = Path.Combine(_work, "publish");
        var published = ExternalProcess.Run("dotnet", ["publish", Path.Combine(RepositoryPaths.RepositoryRoot, "src", "NodeAgent", "NodeAgent.csproj"), "-c", "Release", "-r", "linux-x64", "--self-contained", "-o", publish, "--nologo", "-v", "quiet"], timeout: TimeSpan.FromMinutes(10));
        Assert.That(published.ExitCode, Is.Zero, published.StandardOutput + published.StandardError);
        _first = Build(script, publish, "0.1.0");
        _second = Build(script, publish, "0.1.1");
    }

    [OneTimeTearDown]
    public void RemoveWork() => Directory.Delete(_work, recursive: true);

    [Test]
    public void The_package_holds_the_service_its_unit_its_conffile_and_nothing_else()
    {
        var contents = Run("dpkg-deb", "-c", _first).StandardOutput;
        var conffiles = Run("dpkg-deb", "-I", _first, "conffiles").StandardOutput;
        var control = Run("dpkg-deb", "-f", _first).StandardOutput;
        Assert.Multiple(() =>
        {
            Assert.That(contents, Does.Match(@"-rwxr-xr-x root/root .* \./usr/lib/nodeagent/nodeagent\n"));
            Assert.That(contents, Does.Contain("./usr/bin/nodeagent -> ../lib/nodeagent/nodeagent"));
            Assert.That(contents, Does.Contain("./usr/lib/nodeagent/config/appsettings.json"), "the shipped defaults beside the binary");
            Assert.That(contents, Does.Contain("./usr/lib/systemd/system/nodeagent.service"));
            Assert.That(contents, Does.Match(@"-rw-r----- root/root .* \./etc/nodeagent/appsettings.json"));
            Assert.That(contents, Does.Contain("./usr/share/doc/nodeagent/README.md"));
            Assert.That(contents, Does.Not.Contain(".pdb").And.Not.Contain("./var/").And.Not.Contain("site.secret"), "no secret or data is shipped");
            Assert.That(conffiles.Trim(), Is.EqualTo("/etc/nodeagent/appsettings.json"));
            Assert.That(control, Does.Contain("Package: nodeagent").And.Contain("Version: 0.1.0").And.Contain("Architecture: amd64"));
        });
    }

    [Test]
    public void Install_upgrade_remove_and_purge_behave_and_the_unit_verifies()
    {
        if (!string.Equals(Environment.UserName, "root", StringComparison.Ordinal))
        {
            Assert.Ignore("dpkg --root with maintainer scripts that chown needs root (CI runs as root).");
        }

        var root = Directory.CreateDirectory(Path.Combine(_work, "root")).FullName;
        Directory.CreateDirectory(Path.Combine(root, "var", "lib", "dpkg", "info"));
        Directory.CreateDirectory(Path.Combine(root, "var", "lib", "dpkg", "updates"));
        File.WriteAllText(Path.Combine(root, "var", "lib", "dpkg", "status"), "");
        Directory.CreateDirectory(Path.Combine(root, "etc"));
        foreach (var file in new[] { "passwd", "group", "shadow", "gshadow" })
        {
            File.Copy(Path.Combine("/etc", file), Path.Combine(root, "etc", file));
        }

        var installed = Dpkg(root, "-i", _first);
        Assert.That(installed.ExitCode, Is.Zero, installed.StandardError);
        var secret = Path.Combine(root, "etc", "nodeagent", "site.secret");
        var siteFile = Path.Combine(root, "etc", "nodeagent", "appsettings.json");
        var secretBytes = File.ReadAllBytes(secret);
        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllText(Path.Combine(root, "etc", "passwd")), Does.Match("(?m)^nodeagent:x:[0-9]+:[0-9]+:NodeAgent service:/var/lib/nodeagent:/usr/sbin/nologin$"), "a system account");
            Assert.That(secretBytes, Has.Length.EqualTo(32));
            Assert.That(File.GetUnixFileMode(secret), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            Assert.That(File.GetUnixFileMode(Path.Combine(root, "var", "lib", "nodeagent")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute));
        });

        // The unit, against the units of this machine's systemd, in the installed root.
        foreach (var unit in Directory.GetFiles("/lib/systemd/system").Where(f => f.EndsWith(".target", StringComparison.Ordinal) || f.EndsWith(".slice", StringComparison.Ordinal)))
        {
            var copy = Path.Combine(root, "usr", "lib", "systemd", "system", Path.GetFileName(unit));
            if (!File.Exists(copy))
            {
                File.Copy(unit, copy);
            }
        }

        var verify = Run("systemd-analyze", "verify", "--root=" + root, "/usr/lib/systemd/system/nodeagent.service");
        var security = Run("systemd-analyze", "security", "--offline=true", "--root=" + root, "nodeagent.service");
        var exposure = double.Parse(Exposure().Match(security.StandardOutput + security.StandardError).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Multiple(() =>
        {
            Assert.That(verify.ExitCode, Is.Zero, verify.StandardError);
            Assert.That(verify.StandardError.Trim(), Is.Empty, "no warnings either");
            Assert.That(exposure, Is.LessThanOrEqualTo(2.0), "systemd-analyze security: 'OK' exposure");
        });

        // The packaged, self-contained binary runs (the data and secret paths taken into the root).
        var check = Run("env", "NodeAgent__SiteSecretFile=" + secret, "NodeAgent__Catalogue__Path=" + Path.Combine(root, "var", "lib", "nodeagent", "catalogue.db"),
            Path.Combine(root, "usr", "lib", "nodeagent", "nodeagent"), "run", "--config", siteFile, "--check");
        Assert.That(check.ExitCode, Is.Zero, check.StandardOutput + check.StandardError);
        Assert.That(check.StandardOutput, Does.Contain("federation: off").And.Contain("sources: none configured"));

        // The site edits its configuration and has data; an upgrade keeps both, and the secret.
        var edited = File.ReadAllText(siteFile).Replace("\"Sources\": {}", "\"Sources\": { \"archive\": { \"Kind\": \"folder\", \"Path\": \"/srv/dicom\" } }", StringComparison.Ordinal);
        File.WriteAllText(siteFile, edited);
        var data = Path.Combine(root, "var", "lib", "nodeagent", "audit.log");
        File.WriteAllText(data, "kept");
        var upgraded = Dpkg(root, "--force-confold", "-i", _second);
        Assert.That(upgraded.ExitCode, Is.Zero, upgraded.StandardError);
        Assert.Multiple(() =>
        {
            Assert.That(Run("dpkg-query", "--admindir=" + Path.Combine(root, "var", "lib", "dpkg"), "-W", "-f", "${Version}", "nodeagent").StandardOutput, Is.EqualTo("0.1.1"));
            Assert.That(File.ReadAllText(siteFile), Is.EqualTo(edited), "the site's configuration is kept");
            Assert.That(File.ReadAllBytes(secret), Is.EqualTo(secretBytes), "the site secret is never replaced");
            Assert.That(File.ReadAllText(data), Is.EqualTo("kept"));
        });

        var removed = Dpkg(root, "-r", "nodeagent");
        Assert.That(removed.ExitCode, Is.Zero, removed.StandardError);
        Assert.Multiple(() =>
        {
            Assert.That(File.Exists(Path.Combine(root, "usr", "lib", "nodeagent", "nodeagent")), Is.False);
            Assert.That(File.Exists(data) && File.Exists(secret) && File.Exists(siteFile), Is.True, "remove keeps data, secret and configuration");
        });

        var purged = Dpkg(root, "-P", "nodeagent");
        Assert.That(purged.ExitCode, Is.Zero, purged.StandardError);
        Assert.Multiple(() =>
        {
            Assert.That(Directory.Exists(Path.Combine(root, "var", "lib", "nodeagent")), Is.False);
            Assert.That(Directory.Exists(Path.Combine(root, "etc", "nodeagent")), Is.False);
            Assert.That(File.ReadAllText(Path.Combine(root, "etc", "passwd")), Does.Not.Contain("nodeagent:"));
        });
    }

    private string Build(string script, string publish, string version)
    {
        var result = Run("bash", script, "--publish", publish, "--version", version, "--output", Path.Combine(_work, "debs"));
        Assert.That(result.ExitCode, Is.Zero, result.StandardError);
        return result.StandardOutput.Trim().Split('\n')[^1];
    }

    private static ProcessResult Dpkg(string root, params string[] arguments) =>
        Run(["env", "DPKG_ROOT=" + root, "dpkg", "--root=" + root, "--force-script-chrootless", "--force-depends", "--log=/dev/null", .. arguments]);

    private static ProcessResult Run(params string[] command) => ExternalProcess.Run(command[0], command[1..], timeout: TimeSpan.FromMinutes(5));

    [GeneratedRegex(@"Overall exposure level for nodeagent\.service: ([0-9.]+)")]
    private static partial Regex Exposure();
}
