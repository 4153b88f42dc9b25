namespace NodeAgent.Federation.Service;

/// <summary>Who the node says it is, and what the site allows beyond counts.</summary>
public sealed record FederationOptions
{
    /// <summary>The site's identifier in the federation.</summary>
    public string SiteId { get; init; } = "development";

    /// <summary>Histograms (Facets); on by default.</summary>
    public bool FacetsEnabled { get; init; } = true;

    /// <summary>Pseudonymised study descriptors (Search); off unless the site allows it.</summary>
    public bool SearchEnabled { get; init; }

    /// <summary>The most descriptors one search releases (a requester may ask for fewer).</summary>
    public int SearchMaxResults { get; init; } = 1000;
}
