using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

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
    private Regex? _pattern;

    public bool IsEmpty => _tokens.Count == 0;

    public void AddValue(string value)
    {
        value = value.Trim();
        if (value.Length >= 2)
        {
            _tokens.Add(value);
            _pattern = null;
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

        _pattern ??= Build();
        return _pattern.Replace(text, Mask);
    }

    private Regex Build()
    {
        // Longest first, so a whole name is masked before its parts; letters or digits may not touch the match.
        var alternatives = new StringBuilder();
        foreach (var token in _tokens.OrderByDescending(t => t.Length))
        {
            alternatives.Append(alternatives.Length == 0 ? "" : "|").Append(Regex.Escape(token));
        }

        return new Regex($@"(?<![\p{{L}}\p{{N}}])(?:{alternatives})(?![\p{{L}}\p{{N}}])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }
}
