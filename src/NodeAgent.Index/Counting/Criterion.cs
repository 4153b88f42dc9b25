namespace NodeAgent.Index.Counting;

/// <summary>A query over the catalogue: a tree of and/or/not over field tests.</summary>
public abstract record Criterion
{
    /// <summary>Matches every record.</summary>
    public static Criterion All { get; } = new AllOf([]);
}

/// <summary>Every child matches (an empty list matches all).</summary>
public sealed record AllOf(IReadOnlyList<Criterion> Items) : Criterion;

/// <summary>At least one child matches (an empty list matches none).</summary>
public sealed record AnyOf(IReadOnlyList<Criterion> Items) : Criterion;

/// <summary>The child does not match (not).</summary>
public sealed record NoneOf(Criterion Item) : Criterion;

/// <summary>A text field equals one of the values (case-insensitive).</summary>
public sealed record InSet(CatalogueField Field, IReadOnlyList<string> Values) : Criterion;

/// <summary>A numeric field (age, study date, study year) lies in [Min, Max]; either bound may be open. Records without a value never match.</summary>
public sealed record InRange(CatalogueField Field, long? Min, long? Max) : Criterion;
