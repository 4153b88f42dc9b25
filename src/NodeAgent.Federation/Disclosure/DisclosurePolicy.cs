namespace NodeAgent.Federation.Disclosure;

/// <summary>The site's rules for releasing numbers (defaults as the federation agreed).</summary>
public sealed record DisclosurePolicy
{
    /// <summary>Counts below this are released as "fewer than" it, never as a value.</summary>
    public int Threshold { get; init; } = 10;

    /// <summary>Released counts are rounded to a multiple of this.</summary>
    public int Rounding { get; init; } = 10;

    /// <summary>The Laplace mechanism's epsilon per released count (sensitivity 1); 0 turns noise off.</summary>
    public double Epsilon { get; init; } = 1.0;
}
