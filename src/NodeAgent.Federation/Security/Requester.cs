namespace NodeAgent.Federation.Security;

/// <summary>An authenticated caller (a hub) and what it may ask.</summary>
public sealed record Requester(string Name, IReadOnlySet<string> Roles)
{
    /// <summary>The caller of a development node (plain text on loopback): every role.</summary>
    public static Requester Development { get; } = new("development", new HashSet<string>(FederationRoles.All, StringComparer.Ordinal));

    public bool May(string role) => Roles.Contains(role);
}

/// <summary>What a requester may ask: counts, histograms, study descriptors.</summary>
public static class FederationRoles
{
    public const string Count = "count";
    public const string Facets = "facets";
    public const string Search = "search";

    public static IReadOnlyList<string> All { get; } = [Count, Facets, Search];
}
