using System.CommandLine;
using System.Globalization;
using NodeAgent.Cli.Pacs;
using NodeAgent.Index.Counting;

namespace NodeAgent.Cli.Query;

/// <summary>The filter options shared by <c>query count</c> and <c>query facets</c>, turned into a criteria tree.</summary>
internal sealed class QueryFilters
{
    private readonly Option<string?> _modality = new("--modality") { Description = "Modalities, comma-separated (CT,MR)." };
    private readonly Option<string?> _bodyPart = new("--body-part") { Description = "Body parts examined, comma-separated (PROSTATE)." };
    private readonly Option<string?> _sex = new("--sex") { Description = "M, F or O (comma-separated for several)." };
    private readonly Option<string?> _age = new("--age") { Description = "Age at the study in years: 65, 50-70, 50- or -70." };
    private readonly Option<string?> _studyDate = new("--study-date") { Description = "Study date or range: 20180101-20201231 or 2018-01-01..2020-12-31." };
    private readonly Option<string?> _manufacturer = new("--manufacturer") { Description = "Manufacturers, comma-separated." };

    public IEnumerable<Option> Options => [_modality, _bodyPart, _sex, _age, _studyDate, _manufacturer];

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var option in Options)
        {
            command.Options.Add(option);
        }
    }

    /// <exception cref="FormatException">A value is malformed; the message names the option.</exception>
    public Criterion ToCriterion(ParseResult parse)
    {
        var tests = new List<Criterion>();
        AddSet(tests, CatalogueField.Modality, parse.GetValue(_modality));
        AddSet(tests, CatalogueField.BodyPart, parse.GetValue(_bodyPart));
        AddSet(tests, CatalogueField.Manufacturer, parse.GetValue(_manufacturer));
        if (parse.GetValue(_sex) is { } sex)
        {
            var values = Split(sex);
            if (values.Any(v => v.ToUpperInvariant() is not ("M" or "F" or "O")))
            {
                throw new FormatException($"--sex '{sex}': use M, F or O.");
            }

            tests.Add(new InSet(CatalogueField.Sex, values));
        }

        if (parse.GetValue(_age) is { } age)
        {
            tests.Add(AgeRange(age));
        }

        if (parse.GetValue(_studyDate) is { } date)
        {
            var range = DicomDateArgument.Parse(date);
            var parts = range.Split('-');
            tests.Add(parts.Length == 1
                ? new InRange(CatalogueField.StudyDate, long.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[0], CultureInfo.InvariantCulture))
                : new InRange(CatalogueField.StudyDate, parts[0].Length == 0 ? null : long.Parse(parts[0], CultureInfo.InvariantCulture), parts[1].Length == 0 ? null : long.Parse(parts[1], CultureInfo.InvariantCulture)));
        }

        return new AllOf(tests);
    }

    private static void AddSet(List<Criterion> tests, CatalogueField field, string? text)
    {
        if (text is not null)
        {
            tests.Add(new InSet(field, Split(text)));
        }
    }

    private static string[] Split(string text)
    {
        var values = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return values.Length == 0 ? throw new FormatException($"'{text}' names no value.") : values;
    }

    private static InRange AgeRange(string text)
    {
        var parts = text.Split('-', StringSplitOptions.TrimEntries);
        static long? Years(string s, string text) =>
            s.Length == 0 ? null : long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 150 ? n : throw new FormatException($"--age '{text}': use years, as 65, 50-70, 50- or -70.");
        return parts.Length switch
        {
            1 => new InRange(CatalogueField.Age, Years(parts[0], text), Years(parts[0], text)),
            2 when parts[0].Length + parts[1].Length > 0 => new InRange(CatalogueField.Age, Years(parts[0], text), Years(parts[1], text)),
            _ => throw new FormatException($"--age '{text}': use years, as 65, 50-70, 50- or -70."),
        };
    }
}
