using System.Text.Json;
using System.Text.Json.Nodes;

namespace NodeAgent.Federation.Audit;

/// <summary>
/// Checks an audit log's chain from its first line: every line parses, sequence numbers follow one
/// another from 1, each line names the MAC of the line before it (the first, the key's genesis), and
/// each MAC is right under the key. The first break is reported with its line number.
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
            JsonObject line;
            try
            {
                line = JsonNode.Parse(text)?.AsObject() ?? throw new JsonException("empty");
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                return new AuditVerification(lineNumber - 1, $"line {lineNumber} is not an audit entry (edited, or not written by NodeAgent)");
            }

            var mac = line["mac"]?.GetValue<string>();
            line.Remove("mac");
            if (line["seq"]?.GetValue<long>() != expected)
            {
                return new AuditVerification(lineNumber - 1, $"line {lineNumber} has sequence number {line["seq"]}, {expected} was expected: a line was deleted, inserted or moved");
            }

            if (line["prev"]?.GetValue<string>() != previous)
            {
                return new AuditVerification(lineNumber - 1, $"line {lineNumber} does not follow the line before it: a line was deleted, inserted or moved");
            }

            if (mac is null || !string.Equals(AuditLog.Mac(key, line.ToJsonString()), mac, StringComparison.Ordinal))
            {
                return new AuditVerification(lineNumber - 1, $"line {lineNumber} was changed after it was written (or the site secret is not the one it was written under)");
            }

            previous = mac;
            expected++;
        }

        return new AuditVerification(lineNumber, null);
    }
}

/// <summary>How many lines are intact from the start, and the first problem (null: the whole log is intact).</summary>
public sealed record AuditVerification(int IntactLines, string? Problem)
{
    public bool IsIntact => Problem is null;
}
