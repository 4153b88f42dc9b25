using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using NodeAgent.Federation.Audit;

namespace NodeAgent.Federation.Tests.Reference;

/// <summary>
/// An audit line as the log first wrote it: a JsonObject DOM and ToJsonString(), the chain fields put
/// around it as text, a one-shot HMAC of the line's text. Existing logs and the verifier depend on
/// these exact bytes, so the optimised writer must produce them for every entry.
/// </summary>
internal static class ReferenceAuditLine
{
    public static string Fields(AuditEntry entry) => new JsonObject
    {
        ["time"] = entry.Time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
        ["requester"] = entry.Requester,
        ["method"] = entry.Method,
        ["query"] = entry.QueryHash,
        ["outcome"] = entry.Outcome,
        ["released"] = entry.Released is null ? null : new JsonObject(entry.Released.Select(r => KeyValuePair.Create(r.Key, (JsonNode?)JsonValue.Create(r.Value)))),
    }.ToJsonString()[1..^1];

    /// <summary>The line (without its newline) and its MAC.</summary>
    public static (string Line, string Mac) Of(byte[] key, AuditEntry entry, long sequence, string previous)
    {
        var body = "{\"seq\":" + sequence.ToString(CultureInfo.InvariantCulture) + "," + Fields(entry) + ",\"prev\":\"" + previous + "\"}";
        var mac = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(body)));
        return (body[..^1] + ",\"mac\":\"" + mac + "\"}", mac);
    }
}
