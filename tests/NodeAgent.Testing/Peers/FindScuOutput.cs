using System.Text.RegularExpressions;

namespace NodeAgent.Testing.Peers;

/// <summary>
/// The C-FIND answers in findscu's log: each one starts with "Find Response: N (Pending)" and lists
/// its elements as dcmdump lines ("I: (0020,000d) UI [1.2.3] #  6, 1 StudyInstanceUID").
/// </summary>
/// <remarks>
/// Values come as findscu printed them (the process output is read as UTF-8, so non-UTF-8 bytes turn
/// into U+FFFD; dcmdump may shorten very long values). Good enough for UIDs, dates and counts; for a
/// byte-exact answer use findscu -X and read the files.
/// </remarks>
public static partial class FindScuOutput
{
    /// <summary>One dictionary per answer: keyword → value (trailing padding removed, "" for an empty element).</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Responses(ProcessResult result)
    {
        var responses = new List<IReadOnlyDictionary<string, string>>();
        Dictionary<string, string>? current = null;
        foreach (var line in (result.StandardError + "\n" + result.StandardOutput).Split('\n'))
        {
            if (ResponseStart().IsMatch(line))
            {
                current = new Dictionary<string, string>(StringComparer.Ordinal);
                responses.Add(current);
                continue;
            }

            var element = ElementLine().Match(line);
            if (current is not null && element.Success)
            {
                current[element.Groups["keyword"].Value] = element.Groups["value"].Success ? element.Groups["value"].Value.TrimEnd(' ', '\0') : "";
            }
        }

        return responses;
    }

    /// <summary>The value of one keyword in every answer that has it, in answer order.</summary>
    public static IReadOnlyList<string> Values(ProcessResult result, string keyword) =>
        Responses(result).Where(r => r.ContainsKey(keyword)).Select(r => r[keyword]).ToArray();

    [GeneratedRegex(@"Find Response: \d+ \(Pending")]
    private static partial Regex ResponseStart();

    [GeneratedRegex(@"^I: \([0-9a-fA-F]{4},[0-9a-fA-F]{4}\) [A-Z][A-Z] (?:\[(?<value>.*)\]|\(no value available\)|.*?)\s+#\s*\d+,\s*\d+\s+(?<keyword>\S+)\s*$")]
    private static partial Regex ElementLine();
}
