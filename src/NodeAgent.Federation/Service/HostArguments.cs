namespace NodeAgent.Federation.Service;

/// <summary>Arguments for the web hosts that serve federation (the node, the hub's tunnel listener, test nodes).</summary>
public static class HostArguments
{
    /// <summary>
    /// No watch on the content root for configuration changes. The default host watches the working
    /// directory recursively (inotify) to reload <c>appsettings.json</c>; NodeAgent reads its
    /// configuration once, validated at start, and its data (catalogue, audit log, ledger) is often
    /// written under that directory, so the watch would wake a thread for every write it makes.
    /// </summary>
    public static string[] NoConfigurationWatch => ["--hostBuilder:reloadConfigOnChange=false"];
}
