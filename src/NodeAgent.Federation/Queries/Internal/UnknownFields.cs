using System.Collections;
using System.Collections.Concurrent;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace NodeAgent.Federation.Queries.Internal;

/// <summary>
/// Finds fields a request carries that this node's contract does not define. Protobuf keeps them
/// aside silently; a criterion kind added by a newer hub would then vanish from the query and the
/// query widen. Such requests are refused instead.
/// </summary>
internal static class UnknownFields
{
    // Per message type, its fields that hold messages: the only places unknown fields can hide below it.
    private static readonly ConcurrentDictionary<MessageDescriptor, FieldDescriptor[]> MessageFields = new();

    public static bool In<T>(T message)
        where T : IMessage<T>, new() => In((IMessage)message);

    /// <summary>
    /// Walks the message and every message below it (found from the descriptors, so a field added to
    /// the contract is walked too), asking each whether it kept unknown fields. A message type that
    /// cannot say (<see cref="IKeepsUnknownFields"/>) is checked the slow, exact way, with all below it.
    /// </summary>
    private static bool In(IMessage message)
    {
        if (message is not IKeepsUnknownFields own)
        {
            return InByReparsing(message);
        }

        if (own.HasUnknownFields)
        {
            return true;
        }

        foreach (var field in MessageFields.GetOrAdd(message.Descriptor, Holding))
        {
            var value = field.Accessor.GetValue(message);
            if (field.IsMap)
            {
                foreach (DictionaryEntry entry in (IDictionary)value)
                {
                    if (entry.Value is IMessage inner && In(inner))
                    {
                        return true;
                    }
                }
            }
            else if (field.IsRepeated)
            {
                foreach (var item in (IList)value)
                {
                    if (item is IMessage inner && In(inner))
                    {
                        return true;
                    }
                }
            }
            else if (value is IMessage inner && In(inner))
            {
                return true;
            }
        }

        return false;
    }

    private static FieldDescriptor[] Holding(MessageDescriptor descriptor) =>
        [.. descriptor.Fields.InFieldNumberOrder().Where(f => f.FieldType is FieldType.Message or FieldType.Group)];

    private static bool InByReparsing(IMessage message)
    {
        // Parsed again without what it does not know: anything unknown shows as a smaller size.
        var known = message.Descriptor.Parser.WithDiscardUnknownFields(true).ParseFrom(message.ToByteString());
        return known.CalculateSize() != message.CalculateSize();
    }
}
