using System.Text.Json.Nodes;
using NodeAgent.Testing;

namespace NodeAgent.IntegrationTests.Peers;

/// <summary>pydicom's DICOM JSON for a set of files, from one run of Peers/pydicom_json.py.</summary>
public sealed class PydicomReference
{
    private readonly Dictionary<string, PydicomResult> _results;

    private PydicomReference(Dictionary<string, PydicomResult> results) => _results = results;

    public PydicomResult this[string path] => _results[path];

    public static PydicomReference For(IEnumerable<string> files)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Peers", "pydicom_json.py");
        var result = ExternalProcess.Run("/usr/bin/python3", [script], string.Join('\n', files) + "\n", TimeSpan.FromMinutes(20));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"pydicom_json.py failed ({result.ExitCode}): {result.StandardError}");
        }

        var results = new Dictionary<string, PydicomResult>(StringComparer.Ordinal);
        foreach (var line in result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var record = JsonNode.Parse(line)!.AsObject();
            var path = record["file"]!.GetValue<string>();
            results[path] = new PydicomResult(
                record["ok"]!.GetValue<bool>(),
                record["big_endian"]?.GetValue<bool>() ?? false,
                record["json"]?.AsObject(),
                record["error"]?.GetValue<string>(),
                record["suppressed"]?.AsArray().Select(n => n!.GetValue<string>()).ToHashSet(StringComparer.Ordinal) ?? []);
        }

        return new PydicomReference(results);
    }
}

/// <summary>pydicom's result for one file; <paramref name="Suppressed"/> lists tag paths pydicom could not convert to JSON.</summary>
public sealed record PydicomResult(bool Ok, bool BigEndian, JsonObject? Json, string? Error, IReadOnlySet<string> Suppressed);
