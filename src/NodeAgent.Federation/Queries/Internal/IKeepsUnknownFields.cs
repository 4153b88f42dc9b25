namespace NodeAgent.Federation.Queries.Internal;

/// <summary>A contract message that tells whether parsing it kept fields it does not define (its own, not its children's).</summary>
internal interface IKeepsUnknownFields
{
    bool HasUnknownFields { get; }
}
