using NodeAgent.Federation.Queries.Internal;

// The messages a request is made of say whether they kept unknown fields: protoc's C# code keeps them
// in a private _unknownFields, null until the parser meets a field it does not know. Reading it is
// exact and costs nothing; without it, UnknownFields serialises and parses the request again. One
// file for all of them: each is the same line, on generated classes.
namespace NodeAgent.Federation.V1;

public sealed partial class CountRequest : IKeepsUnknownFields
{
    bool IKeepsUnknownFields.HasUnknownFields => _unknownFields is not null;
}

public sealed partial class FacetsRequest : IKeepsUnknownFields
{
    bool IKeepsUnknownFields.HasUnknownFields => _unknownFields is not null;
}

public sealed partial class SearchRequest : IKeepsUnknownFields
{
    bool IKeepsUnknownFields.HasUnknownFields => _unknownFields is not null;
}

public sealed partial class Query : IKeepsUnknownFields
{
    bool IKeepsUnknownFields.HasUnknownFields => _unknownFields is not null;
}

public sealed partial class Criterion : IKeepsUnknownFields
{
    bool IKeepsUnknownFields.HasUnknownFields => _unknownFields is not null;
}

public sealed partial class Criteria : IKeepsUnknownFields
{
    bool IKeepsUnknownFields.HasUnknownFields => _unknownFields is not null;
}

public sealed partial class ValueSet : IKeepsUnknownFields
{
    bool IKeepsUnknownFields.HasUnknownFields => _unknownFields is not null;
}

public sealed partial class Range : IKeepsUnknownFields
{
    bool IKeepsUnknownFields.HasUnknownFields => _unknownFields is not null;
}
