using System.Globalization;
using System.Text;

namespace NodeAgent.Pseudonymisation.Internal;

/// <summary>
/// Cleans free text (action C on descriptors and structured content): every occurrence of a value
/// that identifies this instance's patient, staff or institution (names and their parts, IDs, phone
/// numbers, addresses, dates in the usual spellings) is replaced by asterisks. The values come from
/// the instance itself, so a name typed into a comment goes with the name.
/// </summary>
internal sealed class IdentifyingTextScrubber
{
    private const string Mask = "***";
    private readonly HashSet<string> _tokens = new(StringComparer.OrdinalIgnoreCase);
    private string[]? _ordered;

    public bool IsEmpty => _tokens.Count == 0;

    public void AddValue(string value)
    {
        value = value.Trim();
        if (value.Length >= 2)
        {
            _tokens.Add(value);
            _ordered = null;
        }
    }

    /// <summary>A person name: the whole name and each part (family, given, middle names, each word of them).</summary>
    public void AddPersonName(string value)
    {
        foreach (var part in value.Split(['^', '=', ' ', ',', '\\'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Prefixes and suffixes such as "Dr." or "MD" are not names; two letters are, for family names like "Li".
            if (part.TrimEnd('.').Length >= 2 && !part.EndsWith('.'))
            {
                AddValue(part);
            }
        }

        AddValue(value.Replace('^', ' ').Trim());
    }

    /// <summary>A date, as written in DICOM and in the spellings people type.</summary>
    public void AddDate(string yyyymmdd)
    {
        if (!DateOnly.TryParseExact(yyyymmdd.Trim(), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return;
        }

        foreach (var format in new[] { "yyyyMMdd", "yyyy-MM-dd", "dd.MM.yyyy", "dd/MM/yyyy", "MM/dd/yyyy", "d.M.yyyy", "yyyy.MM.dd" })
        {
            AddValue(date.ToString(format, CultureInfo.InvariantCulture));
        }
    }

    public string Scrub(string text)
    {
        if (_tokens.Count == 0 || text.Length == 0)
        {
            return text;
        }

        // Longest first, so a whole name is masked before its parts. A few dozen short tokens against
        // a short value: plain searches beat building a regular expression per instance.
        _ordered ??= _tokens.OrderByDescending(t => t.Length).ToArray();
        List<(int Start, int Length)>? masks = null;
        foreach (var token in _ordered)
        {
            for (var at = text.IndexOf(token, StringComparison.OrdinalIgnoreCase); at >= 0; at = text.IndexOf(token, at + 1, StringComparison.OrdinalIgnoreCase))
            {
                var end = at + token.Length;
                if ((at > 0 && char.IsLetterOrDigit(text[at - 1])) || (end < text.Length && char.IsLetterOrDigit(text[end])))
                {
                    continue; // inside a longer word
                }

                masks ??= [];
                if (!masks.Exists(m => at < m.Start + m.Length && m.Start < end))
                {
                    masks.Add((at, token.Length));
                }
            }
        }

        if (masks is null)
        {
            return text;
        }

        masks.Sort((a, b) => a.Start.CompareTo(b.Start));
        var result = new StringBuilder(text.Length);
        var position = 0;
        foreach (var (start, length) in masks)
        {
            result.Append(text, position, start - position).Append(Mask);
            position = start + length;
        }

        return result.Append(text, position, text.Length - position).ToString();
    }
}
