using System.Collections.Generic;

namespace NodeAgent.Dicom.Generators;

internal sealed class UidRow
{
    public string Uid = "";
    public string Name = "";
    public string Type = "";
    public bool Retired;
    public string Keyword = "";
}

/// <summary>Reads the PS3.6 Table A-1 UID registry (tab-separated, with a header line).</summary>
internal static class UidRegistryParser
{
    public static List<UidRow> Parse(string text, List<string> errors)
    {
        var rows = new List<UidRow>();
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (lineNumber == 1 || line.Length == 0)
            {
                continue;
            }

            var f = line.Split('\t');
            if (f.Length < 6)
            {
                errors.Add($"uid-registry.tsv:{lineNumber}: expected 6 tab-separated fields");
                continue;
            }

            rows.Add(new UidRow { Uid = f[0], Name = f[1], Type = f[2], Retired = f[4] == "Y", Keyword = f[5] });
        }

        return rows;
    }
}
