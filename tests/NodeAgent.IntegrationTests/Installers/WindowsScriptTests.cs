using System.Reflection;
using NodeAgent.Testing;

namespace NodeAgent.IntegrationTests.Installers;

/// <summary>
/// <c>installers/windows/install.ps1</c> and <c>uninstall.ps1</c> cannot run here (no Windows). What
/// decides whether they run at all on a Windows server is checked without one: PowerShell's own
/// parser (System.Management.Automation 7.6) reads them, and every command, .NET type and static
/// member they name must exist in both hosts a hospital may run them from: Windows PowerShell 5.1 on
/// .NET Framework 4.8 (on every Windows Server) and PowerShell 7 on .NET 10.
/// </summary>
[Platform(Include = "Linux", Reason = "The .NET 10 side is read from this runtime's folder.")]
public sealed class WindowsScriptTests
{
    private static readonly string[] Scripts = ["install.ps1", "uninstall.ps1"];

    // Commands both Windows PowerShell 5.1 and PowerShell 7.4+ have on Windows (Microsoft's "Release
    // history of modules and cmdlets"). A script needing another is checked against that page first
    // and the command added here: the *-EventLog and *-WmiObject cmdlets, for one, are 5.1's only.
    private static readonly HashSet<string> CommandsInBothHosts = new(
        ["Join-Path", "Test-Path", "New-Item", "Copy-Item", "Remove-Item", "Get-ChildItem", "Set-Content",
         "Get-Service", "New-Service", "Start-Service", "Stop-Service", "Get-Acl", "Set-Acl",
         "New-Object", "Out-Null", "ForEach-Object", "Where-Object", "ConvertTo-Json", "Write-Host", "Write-Warning"],
        StringComparer.OrdinalIgnoreCase);

    private static DotNetApi[] _dotNets = [];

    [OneTimeSetUp]
    public void ReadBothDotNets() => _dotNets = [DotNetApi.NetFramework48(), DotNetApi.Net10()];

    [OneTimeTearDown]
    public void Release()
    {
        foreach (var api in _dotNets)
        {
            api.Dispose();
        }
    }

    [TestCaseSource(nameof(Scripts))]
    public void Parses_without_error(string script)
    {
        var parsed = Read(script);
        Assert.That(parsed.Errors.Select(e => $"line {e.Extent.StartLineNumber}: {e.ErrorId}: {e.Message}"), Is.Empty);
    }

    [TestCaseSource(nameof(Scripts))]
    public void Uses_no_syntax_Windows_PowerShell_5_1_refuses(string script)
    {
        Assert.That(Read(script).SyntaxOnlyPowerShell7Accepts().Select(s => $"line {s.Line}: {s.What}"), Is.Empty);
    }

    [TestCaseSource(nameof(Scripts))]
    public void Requires_Windows_PowerShell_5_1_or_later_and_an_elevated_session(string script)
    {
        var requirements = Read(script).Requirements;
        Assert.Multiple(() =>
        {
            Assert.That(requirements?.RequiredPSVersion, Is.EqualTo(new Version(5, 1)));
            Assert.That(requirements?.IsElevationRequired, Is.True);
        });
    }

    [TestCaseSource(nameof(Scripts))]
    public void Is_ascii_so_that_every_code_page_reads_it_alike(string script)
    {
        // Windows PowerShell 5.1 reads a script without a byte-order mark in the machine's ANSI code page.
        var bytes = File.ReadAllBytes(Path.Combine(RepositoryPaths.RepositoryRoot, "installers", "windows", script));
        Assert.That(bytes.Select((b, i) => (b, i)).Where(x => x.b > 0x7F).Select(x => $"byte {x.i}: 0x{x.b:X2}"), Is.Empty);
    }

    [TestCaseSource(nameof(Scripts))]
    public void Calls_only_commands_both_hosts_have_besides_its_own_functions_and_Windows_programs(string script)
    {
        var unknown = Read(script).Commands()
            .Where(c => !CommandsInBothHosts.Contains(c.Name) && !c.Name.EndsWith(".exe", StringComparison.OrdinalIgnoreCase))
            .Select(c => $"line {c.Line}: {c.Name}");
        Assert.That(unknown, Is.Empty);
    }

    [TestCaseSource(nameof(Scripts))]
    public void Names_only_types_both_dotnets_have(string script)
    {
        var missing = new List<string>();
        foreach (var (name, line) in Read(script).TypeNames())
        {
            foreach (var api in _dotNets)
            {
                if (api.Find(name, out var ownType) is null && !ownType)
                {
                    missing.Add($"line {line}: [{name}] is not in {api.Name}");
                }
            }
        }

        Assert.That(missing, Is.Empty);
    }

    [TestCaseSource(nameof(Scripts))]
    public void Uses_only_static_members_both_dotnets_have_with_the_arguments_given(string script)
    {
        var missing = new List<string>();
        foreach (var (typeName, member, arguments, line) in Read(script).StaticMembers())
        {
            foreach (var api in _dotNets)
            {
                // A type missing is the type test's to report.
                if (api.Find(typeName, out _) is { } type && !HasStatic(type, member, arguments))
                {
                    missing.Add($"line {line}: [{typeName}]::{member}{(arguments is { } n ? $" with {n} argument(s)" : "")} is not in {api.Name}");
                }
            }
        }

        Assert.That(missing, Is.Empty);
    }

    [TestCaseSource(nameof(Scripts))]
    public void Reads_no_variable_it_never_sets(string script)
    {
        Assert.That(Read(script).VariablesNeverSet().Select(v => $"line {v.Line}: ${v.Name}"), Is.Empty);
    }

    [Test]
    public void The_checks_see_what_they_are_for()
    {
        // A script with one of each fault the tests above look for: each must be found, or the tests
        // above would pass whatever the installer scripts hold.
        var path = Path.Combine(Path.GetTempPath(), $"nodeagent-faults-{Guid.NewGuid():N}.ps1");
        File.WriteAllText(path, """
            param([string]$Source)
            New-EventLog -LogName Application -Source NodeAgent
            $bytes = New-Object byte[] 32
            [Security.Cryptography.RandomNumberGenerator]::Fill($bytes)
            [IO.File]::WriteAllBytes($secretFil, $bytes)
            $x = New-Object Runtime.Remoting.RemotingConfiguration
            $y = $x ?? 'none'
            $z = 5u
            [semver]$v = '1.0.0'
            $list = [Collections.Generic.List[string]]::new()
            throw "No nodeagent.exe in $Source: give a publish."
            """);
        try
        {
            var parsed = PowerShellScript.Parse(path);
            using var framework = DotNetApi.NetFramework48();
            using var core = DotNetApi.Net10();
            Assert.Multiple(() =>
            {
                Assert.That(parsed.Errors.Select(e => e.ErrorId), Does.Contain("InvalidVariableReferenceWithDrive"));
                Assert.That(parsed.Commands().Select(c => c.Name).Where(n => !CommandsInBothHosts.Contains(n)), Is.EqualTo(new[] { "New-EventLog" }));
                var fill = parsed.StaticMembers().Single(m => m.Member == "Fill");
                Assert.That(HasStatic(framework.Find(fill.Type, out _)!, fill.Member, fill.Arguments), Is.False, ".NET Framework has no RandomNumberGenerator.Fill");
                Assert.That(HasStatic(core.Find(fill.Type, out _)!, fill.Member, fill.Arguments), Is.True);
                var write = parsed.StaticMembers().Single(m => m.Member == "WriteAllBytes");
                Assert.That(HasStatic(framework.Find(write.Type, out _)!, write.Member, write.Arguments), Is.True);
                Assert.That(HasStatic(framework.Find(write.Type, out _)!, write.Member, 3), Is.False, "no overload of three arguments");
                Assert.That(parsed.TypeNames().Select(t => t.Name), Does.Contain("Runtime.Remoting.RemotingConfiguration"));
                Assert.That(framework.Find("Runtime.Remoting.RemotingConfiguration", out _), Is.Not.Null);
                Assert.That(core.Find("Runtime.Remoting.RemotingConfiguration", out _), Is.Null, ".NET Remoting is .NET Framework's only");
                Assert.That(core.Find("switch", out var own), Is.Null);
                Assert.That(own, Is.True, "[switch] is PowerShell's own type");
                Assert.That(parsed.VariablesNeverSet().Select(v => v.Name), Is.EqualTo(new[] { "secretFil" }));
                Assert.That(parsed.SyntaxOnlyPowerShell7Accepts().Select(s => s.What), Is.EquivalentTo(new[] { "??", "the number 5u" }));
                Assert.That(parsed.TypeNames().Select(t => t.Name), Does.Contain("semver"));
                Assert.That(framework.Find("semver", out var semver), Is.Null);
                Assert.That(semver, Is.False, "[semver] came with PowerShell 6: flagged, not taken for one of 5.1's own types");
                Assert.That(parsed.TypeNames().Select(t => t.Name), Does.Contain("Collections.Generic.List`1").And.Contain("string"));
                Assert.That(framework.Find("Collections.Generic.List`1", out _), Is.Not.Null);
                Assert.That(parsed.StaticMembers().Select(m => m.Member), Does.Not.Contain("new"), "a generic's members are not looked up on the open type");
                Assert.That(HasStatic(core.Find("Text.StringBuilder", out _)!, "new", 1), Is.True, "::new is a constructor");
                Assert.That(HasStatic(core.Find("Text.StringBuilder", out _)!, "new", 5), Is.False);
                Assert.That(framework.Find("Net.Http.HttpClient", out _), Is.Null, "not loaded in a Windows PowerShell 5.1 session");
            });
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static PowerShellScript Read(string script) => PowerShellScript.Parse(Path.Combine(RepositoryPaths.RepositoryRoot, "installers", "windows", script));

    /// <summary>A public static member of that name (any case, as PowerShell binds); for a call, an overload that takes that many arguments.</summary>
    private static bool HasStatic(Type type, string member, int? arguments)
    {
        // ::new is PowerShell's name for a constructor.
        MemberInfo[] members = string.Equals(member, "new", StringComparison.OrdinalIgnoreCase)
            ? type.GetConstructors()
            : type.GetMember(member, BindingFlags.Public | BindingFlags.Static | BindingFlags.IgnoreCase | BindingFlags.FlattenHierarchy);
        return arguments is not { } count
            ? members.Length > 0
            : members.OfType<MethodBase>().Any(m =>
            {
                var parameters = m.GetParameters();
                var required = parameters.Count(p => !p.IsOptional);
                var variadic = parameters.Length > 0 && parameters[^1].GetCustomAttributesData().Any(a => a.AttributeType.Name == nameof(ParamArrayAttribute));
                return count >= required - (variadic ? 1 : 0) && (count <= parameters.Length || variadic);
            });
    }
}
