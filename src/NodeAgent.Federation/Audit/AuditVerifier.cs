using System.Text.Json;
using System.Text.Json.Nodes;

namespace NodeAgent.Federation.Audit;

/// <summary>
/// Checks an audit log's chain from its first line: every line parses, sequence numbers follow one
/// another from 1, each line names the MAC of the line before it (the first, the key's genesis), and
/// each MAC is right under the key, over the exact text of the line. The first break is reported with
/// its line number. Lines cut off the end leave a shorter intact chain: compare the last sequence
/// number and MAC reported with the ones the service logs (its journal), which the log cannot change.
/// </summary>
public static class AuditVerifier
{
    public static AuditVerification Verify(string path, byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var previous = AuditLog.Genesis(key);
        long expected = 1;
        var lineNumber = 0;
        foreach (var text in File.ReadLines(path))
        {
            lineNumber++;
            long? sequence;
            string? prev;
            try
            {
                var line = JsonNode.Parse(text)?.AsObject() ?? throw new JsonException("empty");
                sequence = line["seq"] is JsonValue s && s.TryGetValue<long>(out var n) ? n : null;
                prev = line["prev"] is JsonValue p && p.TryGetValue<string>(out var t) ? t : null;
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
            {
                return new AuditVerification(lineNumber - 1, $"line {lineNumber} is not an audit entry (edited, or not written by NodeAgent)", null, null);
            }

            if (sequence != expected)
            {
                return new AuditVerification(lineNumber - 1, $"line {lineNumber} has sequence number {sequence?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"}, {expected} was expected: a line was deleted, inserted or moved", expected - 1, previous);
            }

            if (prev != previous)
            {
                return new AuditVerification(lineNumber - 1, $"line {lineNumber} does not follow the line before it: a line was deleted, inserted or moved", expected - 1, previous);
            }

            if (AuditLog.SplitMac(text) is not { } split || !string.Equals(AuditLog.Mac(key, split.Body), split.Mac, StringComparison.Ordinal))
            {
                return new AuditVerification(lineNumber - 1, $"line {lineNumber} was changed after it was written (or the site secret is not the one it was written under)", expected - 1, previous);
            }

            previous = split.Mac;
            expected++;
        }

        return new AuditVerification(lineNumber, null, expected - 1, previous);
    }
}

/// <summary>How many lines are intact from the start, the first problem (null: intact), and the last intact entry's sequence number and MAC.</summary>
public sealed record AuditVerification(int IntactLines, string? Problem, long? LastSequence, string? LastMac)
{
    public bool IsIntact => Problem is null;
}
