namespace NodeAgent.Pseudonymisation.Profiles;

public enum ProfileMode
{
    /// <summary>The standard's way: act on what Table E.1-1 and the rules list; keep the rest (dates, UIDs and names are still handled by VR).</summary>
    RemoveListed,

    /// <summary>Keep only what a rule or the table keeps or replaces; remove every other attribute.</summary>
    AllowList,
}
