using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace NodeAgent.Federation.Audit.Internal;

/// <summary>
/// An entry's fields as one audit line carries them: the UTF-8 text that
/// <c>JsonObject.ToJsonString()</c> wrote for <c>{time, requester, method, query, outcome, released}</c>
/// (its default writer options: compact, the default encoder's escaping), without the outer braces.
/// Written by a <see cref="Utf8JsonWriter"/> with those same options straight to a per-thread
/// buffer: the same writer calls that the JSON DOM made, without building the DOM. MACs of existing
/// logs cover these exact bytes.
/// </summary>
internal static class AuditFields
{
    // A thread that formatted a huge histogram does not keep its buffer.
    private const int KeptCapacity = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public static byte[] Format(AuditEntry entry)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        var writer = t_writer ??= new Utf8JsonWriter(buffer, default(JsonWriterOptions));
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        try
        {
            writer.WriteStartObject();
            Span<char> time = stackalloc char[64];
            var utc = entry.Time.ToUniversalTime();
            if (utc.TryFormat(time, out var length, "O", CultureInfo.InvariantCulture))
            {
                writer.WriteString("time", time[..length]);
            }
            else
            {
                writer.WriteString("time", utc.ToString("O", CultureInfo.InvariantCulture));
            }

            writer.WriteString("requester", entry.Requester);
            writer.WriteString("method", entry.Method);
            writer.WriteString("query", entry.QueryHash);
            writer.WriteString("outcome", entry.Outcome);
            if (entry.Released is null)
            {
                writer.WriteNull("released");
            }
            else
            {
                writer.WriteStartObject("released");
                foreach (var (name, value) in entry.Released)
                {
                    writer.WriteString(name, value);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.Flush();
            return buffer.WrittenSpan[1..^1].ToArray();
        }
        finally
        {
            if (buffer.Capacity > KeptCapacity)
            {
                t_buffer = null;
                t_writer = null;
            }
        }
    }
}
