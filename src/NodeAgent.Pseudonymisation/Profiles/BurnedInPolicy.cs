namespace NodeAgent.Pseudonymisation.Profiles;

/// <summary>What happens to an image that may carry burned-in text and that no pixel rule covers.</summary>
public enum BurnedInPolicy
{
    /// <summary>Set it aside in the quarantine folder with its reason (the default).</summary>
    Quarantine,

    /// <summary>Pass it through unchanged: the site has checked that these images carry no text.</summary>
    Keep,
}
