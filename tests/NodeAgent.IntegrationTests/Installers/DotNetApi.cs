using System.Management.Automation;
using System.Reflection;

namespace NodeAgent.IntegrationTests.Installers;

/// <summary>
/// The public types of one .NET, read as metadata (never loaded to run), looked up as PowerShell
/// looks up a type name in a script: its type accelerators first (<c>[string]</c>, <c>[ordered]</c>),
/// then the name as written, then with <c>System.</c> in front, ignoring case.
/// </summary>
internal sealed class DotNetApi : IDisposable
{
    private static readonly Dictionary<string, Type> Accelerators = LoadAccelerators();

    // Accelerators Windows PowerShell 5.1 has for its own engine's types (about_Type_Accelerators, 5.1),
    // of those a script of ours may use; add one here after checking it there.
    private static readonly HashSet<string> OwnTypesOfWindowsPowerShell = new(
        ["switch", "psobject", "pscustomobject", "ref", "scriptblock", "pscredential", "psvariable", "wildcardpattern", "powershell", "psmoduleinfo", "runspacefactory"],
        StringComparer.OrdinalIgnoreCase);

    private readonly MetadataLoadContext _context;
    private readonly Dictionary<string, Type> _types = new(StringComparer.OrdinalIgnoreCase);

    private DotNetApi(string name, MetadataLoadContext context, IEnumerable<string> assemblies)
    {
        Name = name;
        _context = context;
        foreach (var path in assemblies)
        {
            foreach (var type in ExportedTypes(context, path))
            {
                _types.TryAdd(type.FullName!, type);
            }
        }
    }

    public string Name { get; }

    /// <summary>
    /// .NET Framework 4.8, which Windows PowerShell 5.1 (every Windows Server) runs on, from its
    /// reference assemblies; only those every 5.1 session has loaded (mscorlib, System, System.Core):
    /// 5.1 finds a type only in an assembly already loaded, so a script naming one elsewhere needs an
    /// <c>Add-Type -AssemblyName</c> first, and is flagged here until its author has checked.
    /// </summary>
    public static DotNetApi NetFramework48()
    {
        var folder = typeof(DotNetApi).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "NetFramework48ReferenceAssemblies").Value!;
        var resolvable = Directory.GetFiles(folder, "*.dll").Concat(Directory.GetFiles(Path.Combine(folder, "Facades"), "*.dll"));
        string[] loaded = ["mscorlib.dll", "System.dll", "System.Core.dll"];
        return new DotNetApi(".NET Framework 4.8", new MetadataLoadContext(new PathAssemblyResolver(resolvable), "mscorlib"), loaded.Select(f => Path.Combine(folder, f)));
    }

    /// <summary>
    /// .NET 10, which PowerShell 7.6 runs on: the shared framework, with the Windows compatibility
    /// assemblies PowerShell ships beside it that its engine depends on (the event log, WMI, the
    /// directory, the registry's ACLs), here from this project's reference to that engine.
    /// </summary>
    public static DotNetApi Net10()
    {
        string[] compatibility = ["System.Diagnostics.EventLog.dll", "System.Management.dll", "System.DirectoryServices.dll", "Microsoft.Win32.Registry.AccessControl.dll", "System.Windows.Extensions.dll"];
        var runtime = Directory.GetFiles(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "*.dll");
        var all = runtime.Concat(compatibility.Select(f => Path.Combine(AppContext.BaseDirectory, f))).ToList();
        return new DotNetApi(".NET 10", new MetadataLoadContext(new PathAssemblyResolver(all), "System.Private.CoreLib"), all);
    }

    /// <summary>
    /// The type a script's name means, or null when this .NET has none. <paramref name="ownType"/> is
    /// set for PowerShell's own types (<c>[switch]</c>), which every PowerShell has whatever its .NET.
    /// </summary>
    public Type? Find(string scriptTypeName, out bool ownType)
    {
        var name = scriptTypeName.EndsWith("[]", StringComparison.Ordinal) ? scriptTypeName[..^2] : scriptTypeName;
        ownType = false;
        if (Accelerators.TryGetValue(name, out var accelerated))
        {
            // PowerShell's own types: the table is 7.6's, so only those 5.1 also has count as present
            // ([semver], say, came with 6).
            ownType = accelerated.Assembly == typeof(PSObject).Assembly && OwnTypesOfWindowsPowerShell.Contains(name);
            name = accelerated.FullName!;
        }

        return _types.GetValueOrDefault(name) ?? _types.GetValueOrDefault("System." + name);
    }

    public void Dispose() => _context.Dispose();

    private static IEnumerable<Type> ExportedTypes(MetadataLoadContext context, string path)
    {
        try
        {
            return context.LoadFromAssemblyPath(path).GetExportedTypes();
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException or TypeLoadException or InvalidOperationException)
        {
            // Not a managed assembly (a native library beside the runtime's, a module), or one whose
            // forwarded types this context cannot follow: nothing a script can name is lost that
            // another assembly of the set does not export.
            return [];
        }
    }

    /// <summary>PowerShell's own table of type accelerators, from its engine (the table is internal; its contents are the point).</summary>
    private static Dictionary<string, Type> LoadAccelerators()
    {
        var table = typeof(PSObject).Assembly.GetType("System.Management.Automation.TypeAccelerators", throwOnError: true)!;
        var accelerators = (Dictionary<string, Type>)table.GetProperty("Get", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
        return new Dictionary<string, Type>(accelerators, StringComparer.OrdinalIgnoreCase);
    }
}
