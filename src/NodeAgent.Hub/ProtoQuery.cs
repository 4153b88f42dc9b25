using NodeAgent.Federation.Queries;
using NodeAgent.Index.Counting;
using V1 = NodeAgent.Federation.V1;

namespace NodeAgent.Hub;

/// <summary>A catalogue criterion (as the CLI's filters build it) in the contract's form, to send to nodes.</summary>
public static class ProtoQuery
{
    public static V1.Query From(Criterion criterion) => new() { Criterion = Convert(criterion) };

    private static V1.Criterion Convert(Criterion criterion)
    {
        switch (criterion)
        {
            case AllOf all:
                var allOf = new V1.Criteria();
                allOf.Items.AddRange(all.Items.Select(Convert));
                return new V1.Criterion { AllOf = allOf };
            case AnyOf any:
                var anyOf = new V1.Criteria();
                anyOf.Items.AddRange(any.Items.Select(Convert));
                return new V1.Criterion { AnyOf = anyOf };
            case NoneOf none:
                return new V1.Criterion { Not = Convert(none.Item) };
            case InSet set:
                var values = new V1.ValueSet { Field = Name(set.Field) };
                values.Values.AddRange(set.Values);
                return new V1.Criterion { InSet = values };
            case InRange range:
                var proto = new V1.Range { Field = Name(range.Field) };
                if (range.Min is { } min)
                {
                    proto.Min = min;
                }

                if (range.Max is { } max)
                {
                    proto.Max = max;
                }

                return new V1.Criterion { InRange = proto };
            default:
                throw new ArgumentException($"Unknown criterion {criterion.GetType().Name}.", nameof(criterion));
        }
    }

    private static string Name(CatalogueField field) => FederationFields.All.First(f => f.Field == field).Name;
}
