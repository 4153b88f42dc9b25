using Google.Protobuf;
using Google.Protobuf.Reflection;
using NodeAgent.Federation.Queries.Internal;
using NodeAgent.Federation.V1;

namespace NodeAgent.Federation.Tests;

/// <summary>Fields of a newer contract are found at any depth of a request, by the walk as by re-parsing.</summary>
public sealed class UnknownFieldsTests
{
    /// <summary>The message as a newer peer would send it: with a field 99 this contract does not define.</summary>
    private static T WithUnknown<T>(T message)
        where T : IMessage<T>, new() => new MessageParser<T>(() => new T()).ParseFrom([.. message.ToByteArray(), 0x98, 0x06, 0x01]);

    // The first check: serialised, parsed again without unknown fields, and the sizes compared.
    private static bool ByReparsing<T>(T message)
        where T : IMessage<T>, new() => new MessageParser<T>(() => new T()).WithDiscardUnknownFields(true).ParseFrom(message.ToByteString()).CalculateSize() != message.CalculateSize();

    private static Criterion Tree(Random random, int depth, ref int unknowns)
    {
        var plant = random.Next(12) == 0;
        unknowns += plant ? 1 : 0;
        var criterion = (depth >= 3 ? random.Next(3, 5) : random.Next(5)) switch
        {
            0 => QueryTests.And(Items(random, depth, ref unknowns)),
            1 => QueryTests.Or(Items(random, depth, ref unknowns)),
            2 => new Criterion { Not = Tree(random, depth + 1, ref unknowns) },
            3 => QueryTests.Set("modality", "CT", "MR"),
            _ => QueryTests.Range("age", 40, null),
        };

        if (random.Next(12) == 0)
        {
            // In the node's content rather than the node itself.
            unknowns++;
            switch (criterion.KindCase)
            {
                case Criterion.KindOneofCase.AllOf: criterion.AllOf = WithUnknown(criterion.AllOf); break;
                case Criterion.KindOneofCase.AnyOf: criterion.AnyOf = WithUnknown(criterion.AnyOf); break;
                case Criterion.KindOneofCase.InSet: criterion.InSet = WithUnknown(criterion.InSet); break;
                case Criterion.KindOneofCase.InRange: criterion.InRange = WithUnknown(criterion.InRange); break;
                default: unknowns--; break;
            }
        }

        return plant ? WithUnknown(criterion) : criterion;
    }

    private static Criterion[] Items(Random random, int depth, ref int unknowns)
    {
        var items = new Criterion[random.Next(4)];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = Tree(random, depth + 1, ref unknowns);
        }

        return items;
    }

    [Test]
    public void An_unknown_field_anywhere_in_a_request_is_found_and_none_is_found_where_there_is_none()
    {
        var random = new Random(3);
        var (found, clean) = (0, 0);
        for (var i = 0; i < 3000; i++)
        {
            var unknowns = 0;
            var query = new Query { Criterion = Tree(random, 0, ref unknowns) };
            if (random.Next(20) == 0)
            {
                query = WithUnknown(query);
                unknowns++;
            }

            var requests = new IMessage[] { new CountRequest { Query = query }, new FacetsRequest { Query = query, Field = "sex" }, new SearchRequest { Query = query, MaxResults = 3 } };
            var expected = unknowns > 0;
            Assert.Multiple(() =>
            {
                Assert.That(UnknownFields.In((CountRequest)requests[0]), Is.EqualTo(expected), $"count {i}");
                Assert.That(UnknownFields.In((FacetsRequest)requests[1]), Is.EqualTo(expected), $"facets {i}");
                Assert.That(UnknownFields.In((SearchRequest)requests[2]), Is.EqualTo(expected), $"search {i}");
                Assert.That(ByReparsing((CountRequest)requests[0]), Is.EqualTo(expected), $"the first check agrees, {i}");
            });
            (found, clean) = expected ? (found + 1, clean) : (found, clean + 1);
        }

        Assert.That(Math.Min(found, clean), Is.GreaterThan(300), "both kinds were tried often");
    }

    [Test]
    public void Unknown_fields_of_the_request_itself_are_found()
    {
        Assert.Multiple(() =>
        {
            Assert.That(UnknownFields.In(WithUnknown(new CountRequest())), Is.True);
            Assert.That(UnknownFields.In(WithUnknown(new FacetsRequest { Field = "sex" })), Is.True);
            Assert.That(UnknownFields.In(WithUnknown(new SearchRequest())), Is.True);
            Assert.That(UnknownFields.In(new CountRequest()), Is.False);
            Assert.That(UnknownFields.In(new CountRequest { Query = new Query { EucaimAstJson = "{}" } }), Is.False);
        });
    }

    [Test]
    public void A_message_type_that_cannot_say_is_checked_by_reparsing_with_everything_below_it()
    {
        var deep = new CountRequest { Query = new Query { Criterion = QueryTests.And(QueryTests.Or(new Criterion { InSet = WithUnknown(new ValueSet { Field = "sex" }) })) } };
        Assert.Multiple(() =>
        {
            Assert.That(UnknownFields.In(new TunnelCall { Id = 1, Count = deep }), Is.True);
            Assert.That(UnknownFields.In(WithUnknown(new TunnelCall { Id = 1 })), Is.True);
            Assert.That(UnknownFields.In(new TunnelCall { Id = 1, Count = new CountRequest { Query = new Query { Criterion = QueryTests.Set("sex", "F") } } }), Is.False);
        });
    }

    [Test]
    public void Every_message_of_a_request_answers_for_itself_so_none_is_reparsed()
    {
        var seen = new HashSet<MessageDescriptor>();
        void Visit(MessageDescriptor descriptor)
        {
            if (seen.Add(descriptor))
            {
                foreach (var field in descriptor.Fields.InDeclarationOrder().Where(f => f.FieldType == FieldType.Message))
                {
                    Visit(field.MessageType);
                }
            }
        }

        Visit(CountRequest.Descriptor);
        Visit(FacetsRequest.Descriptor);
        Visit(SearchRequest.Descriptor);
        Assert.That(seen.Where(d => !typeof(IKeepsUnknownFields).IsAssignableFrom(d.ClrType)).Select(d => d.FullName), Is.Empty);
    }
}
