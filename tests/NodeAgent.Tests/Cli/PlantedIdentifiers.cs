namespace NodeAgent.Tests.Cli;

/// <summary>The identifiers a generated corpus planted (make-dataset.py's manifest), to look for where none may appear.</summary>
internal static class PlantedIdentifiers
{
    /// <summary>Every planted value long enough not to match by chance (names, IDs, UIDs, dates, addresses...).</summary>
    public static HashSet<string> Of(string manifestPath)
    {
        using var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(manifestPath));
        return manifest.RootElement.GetProperty("files").EnumerateArray()
            .SelectMany(f => f.GetProperty("phi").EnumerateArray().Select(p => p.GetProperty("value").GetString()!))
            .Where(v => v.Length >= 6)
            .ToHashSet(StringComparer.Ordinal);
    }
}
