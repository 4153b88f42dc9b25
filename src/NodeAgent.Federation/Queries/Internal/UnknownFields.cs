using Google.Protobuf;

namespace NodeAgent.Federation.Queries.Internal;

/// <summary>
/// Finds fields a request carries that this node's contract does not define. Protobuf keeps them
/// aside silently; a criterion kind added by a newer hub would then vanish from the query and the
/// query widen. Such requests are refused instead.
/// </summary>
internal static class UnknownFields
{
    public static bool In<T>(T message)
        where T : IMessage<T>, new()
    {
        // Parsed again without what it does not know: anything unknown shows as a smaller size.
        var known = Parser<T>.DiscardingUnknown.ParseFrom(message.ToByteString());
        return known.CalculateSize() != message.CalculateSize();
    }

    private static class Parser<T>
        where T : IMessage<T>, new()
    {
        public static readonly MessageParser<T> DiscardingUnknown = new MessageParser<T>(() => new T()).WithDiscardUnknownFields(true);
    }
}
