namespace NodeAgent.Federation.Queries;

/// <summary>
/// A query the node cannot evaluate as asked: each problem names where it is (as
/// <c>criterion.all_of.items[1].in_set.field</c>) and what is wrong. Answering a narrower or wider
/// query instead would give the hub a wrong number; so the whole query is refused.
/// </summary>
public sealed class QueryRejectedException : Exception
{
    public QueryRejectedException(IReadOnlyList<QueryViolation> violations)
        : base("The query cannot be evaluated: " + string.Join("; ", violations.Select(v => $"{v.Path}: {v.Description}")))
    {
        Violations = violations;
    }

    public QueryRejectedException()
        : this([])
    {
    }

    public QueryRejectedException(string message)
        : base(message)
    {
        Violations = [new QueryViolation("query", message)];
    }

    public QueryRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Violations = [new QueryViolation("query", message)];
    }

    public IReadOnlyList<QueryViolation> Violations { get; }
}

/// <summary>Where in the query, and what is wrong there.</summary>
public sealed record QueryViolation(string Path, string Description);
