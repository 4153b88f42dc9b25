using System.CommandLine;
using System.Text.Json;
using NodeAgent.Cli.Internal;
using NodeAgent.Dicom;
using NodeAgent.Dicom.Dictionary;
using NodeAgent.Dicom.Json;
using NodeAgent.Dicom.Network.Client;
using NodeAgent.Dicom.Network.Query;

namespace NodeAgent.Cli.Pacs;

/// <summary>
/// <c>nodeagent pacs find</c>: C-FIND at any level, as a table or as a JSON array of DICOM JSON
/// identifiers. A PACS that stops before the end (capped answers) is reported, exit code 3.
/// </summary>
internal static class PacsFindCommand
{
    public const int TruncatedExitCode = 3;

    private static readonly Dictionary<DicomQueryLevel, DicomTag[]> Columns = new()
    {
        [DicomQueryLevel.Patient] = [DicomTags.PatientID, DicomTags.PatientName, DicomTags.PatientBirthDate, DicomTags.PatientSex, DicomTags.NumberOfPatientRelatedStudies],
        [DicomQueryLevel.Study] = [DicomTags.StudyDate, DicomTags.ModalitiesInStudy, DicomTags.PatientID, DicomTags.PatientName, DicomTags.AccessionNumber, DicomTags.StudyDescription, DicomTags.NumberOfStudyRelatedInstances, DicomTags.StudyInstanceUID],
        [DicomQueryLevel.Series] = [DicomTags.Modality, DicomTags.SeriesNumber, DicomTags.SeriesDescription, DicomTags.BodyPartExamined, DicomTags.NumberOfSeriesRelatedInstances, DicomTags.SeriesInstanceUID],
        [DicomQueryLevel.Image] = [DicomTags.InstanceNumber, DicomTags.SOPClassUID, DicomTags.SOPInstanceUID],
    };

    public static Command Build(TextWriter output, TextWriter error)
    {
        var connection = new PacsConnectionOptions();
        var level = new Option<DicomQueryLevel>("--level") { Description = "patient, study, series or image.", DefaultValueFactory = _ => DicomQueryLevel.Study };
        var model = new Option<string?>("--model") { Description = "Information model: study (study root) or patient (patient root). Default: patient root for --level patient, study root otherwise." };
        var modality = new Option<string?>("--modality") { Description = "Modality (e.g. CT, or CT\\MR): Modalities in Study at study level, Modality below." };
        var studyDate = new Option<string?>("--study-date") { Description = "Study date or range: 20180101-20201231 or 2018-01-01..2020-12-31." };
        var patientId = new Option<string?>("--patient-id") { Description = "Patient ID (wildcards * and ? allowed)." };
        var patientName = new Option<string?>("--patient-name") { Description = "Patient's name, e.g. Doe^J* (any language: sent in UTF-8)." };
        var studyUid = new Option<string?>("--study-uid") { Description = "Study Instance UID." };
        var seriesUid = new Option<string?>("--series-uid") { Description = "Series Instance UID." };
        var accession = new Option<string?>("--accession") { Description = "Accession number." };
        var keys = new Option<string[]>("--key") { Description = "Any other matching or return key: KEYWORD=VALUE, (gggg,eeee)=VALUE, or KEYWORD alone to return it.", AllowMultipleArgumentsPerToken = false };
        var format = new Option<string>("--format") { Description = "table or json (a JSON array of DICOM JSON identifiers).", DefaultValueFactory = _ => "table" };
        var command = new Command("find", "C-FIND: query the PACS at patient, study, series or image level.");
        connection.AddTo(command);
        foreach (var option in new Option[] { level, model, modality, studyDate, patientId, patientName, studyUid, seriesUid, accession, keys, format })
        {
            command.Options.Add(option);
        }

        command.SetAction((result, ct) => CliFailure.RunAsync("pacs find", error, async () =>
        {
            var options = connection.Read(result);
            var queryLevel = result.GetValue(level);
            var queryModel = result.GetValue(model) switch
            {
                null => queryLevel == DicomQueryLevel.Patient ? DicomQueryModel.PatientRoot : DicomQueryModel.StudyRoot,
                "patient" => DicomQueryModel.PatientRoot,
                "study" when queryLevel == DicomQueryLevel.Patient => throw new FormatException("--level patient needs the patient root model (--model patient, the default for that level)."),
                "study" => DicomQueryModel.StudyRoot,
                var other => throw new FormatException($"--model must be study or patient, not '{other}'."),
            };
            var outputFormat = result.GetValue(format) is "table" or "json" ? result.GetValue(format)! : throw new FormatException($"--format must be table or json, not '{result.GetValue(format)}'.");
            RequireHigherLevelKeys(queryLevel, queryModel, result.GetValue(patientId), result.GetValue(studyUid), result.GetValue(seriesUid));
            var query = DicomQuery.Create(queryLevel, queryModel);
            if (result.GetValue(modality) is { } m)
            {
                query.Match(queryLevel <= DicomQueryLevel.Study ? DicomTags.ModalitiesInStudy : DicomTags.Modality, m);
            }

            Match(query, DicomTags.StudyDate, result.GetValue(studyDate) is { } d ? DicomDateArgument.Parse(d) : null);
            Match(query, DicomTags.PatientID, result.GetValue(patientId));
            Match(query, DicomTags.PatientName, result.GetValue(patientName));
            Match(query, DicomTags.StudyInstanceUID, result.GetValue(studyUid));
            Match(query, DicomTags.SeriesInstanceUID, result.GetValue(seriesUid));
            Match(query, DicomTags.AccessionNumber, result.GetValue(accession));
            foreach (var key in result.GetValue(keys) ?? [])
            {
                AddKey(query, key);
            }

            var summary = new DicomFindSummary();
            var matches = new List<DicomDataset>();
            await foreach (var match in new DicomClient(options).FindAsync(query, summary, ct).ConfigureAwait(false))
            {
                matches.Add(match);
            }

            if (outputFormat == "json")
            {
                WriteJson(output, matches);
            }
            else
            {
                await WriteTableAsync(output, matches, Columns[queryLevel]).ConfigureAwait(false);
            }

            if (summary.IsTruncated)
            {
                await error.WriteLineAsync($"nodeagent pacs find: {options.Describe()} stopped after {summary.Matches} matches ({NodeAgent.Dicom.Network.Dimse.DimseStatus.Describe(summary.Status)}); the list is incomplete. Narrow the query (e.g. a shorter --study-date range).").ConfigureAwait(false);
                return TruncatedExitCode;
            }

            return 0;
        }));
        return command;
    }

    /// <summary>
    /// A hierarchical query (PS3.4 C.4.1.2.2.1) names the one entity of each level above the one
    /// asked: a strict PACS refuses a series query without its study, lenient ones search everything.
    /// </summary>
    private static void RequireHigherLevelKeys(DicomQueryLevel level, DicomQueryModel model, string? patientId, string? studyUid, string? seriesUid)
    {
        if (model == DicomQueryModel.PatientRoot && level >= DicomQueryLevel.Study && string.IsNullOrEmpty(patientId))
        {
            throw new FormatException($"--level {level.ToString().ToLowerInvariant()} in the patient root model needs --patient-id (or use --model study).");
        }

        if (level >= DicomQueryLevel.Series && string.IsNullOrEmpty(studyUid))
        {
            throw new FormatException($"--level {level.ToString().ToLowerInvariant()} needs --study-uid: a PACS answers series and image queries within one study.");
        }

        if (level == DicomQueryLevel.Image && string.IsNullOrEmpty(seriesUid))
        {
            throw new FormatException("--level image needs --series-uid as well: a PACS answers image queries within one series.");
        }
    }

    private static void Match(DicomQuery query, DicomTag tag, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            query.Match(tag, value);
        }
    }

    private static void AddKey(DicomQuery query, string key)
    {
        var eq = key.IndexOf('=', StringComparison.Ordinal);
        var name = eq < 0 ? key : key[..eq];
        var tag = DicomTag.TryParse(name, out var parsed)
            ? parsed
            : DicomDictionary.FindByKeyword(name)?.Tag ?? throw new FormatException($"--key {name}: not a keyword of the data dictionary nor a tag (gggg,eeee).");
        if (eq < 0)
        {
            query.Return(tag);
        }
        else
        {
            query.Match(tag, key[(eq + 1)..]);
        }
    }

    private static void WriteJson(TextWriter output, List<DicomDataset> matches)
    {
        using var stream = new TextWriterStream(output);
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartArray();
            foreach (var match in matches)
            {
                DicomJsonWriter.Write(writer, match);
            }

            writer.WriteEndArray();
        }

        output.WriteLine();
    }

    private static async Task WriteTableAsync(TextWriter output, List<DicomDataset> matches, DicomTag[] columns)
    {
        var headers = columns.Select(c => DicomDictionary.Find(c)?.Keyword ?? c.ToString()).ToArray();
        var rows = matches.Select(m => columns.Select(c => m.GetString(c) ?? "").ToArray()).ToList();
        var widths = headers.Select((h, i) => Math.Min(64, rows.Select(r => r[i].Length).Append(h.Length).Max())).ToArray();
        await output.WriteLineAsync(Line(headers, widths)).ConfigureAwait(false);
        foreach (var row in rows)
        {
            await output.WriteLineAsync(Line(row, widths)).ConfigureAwait(false);
        }

        await output.WriteLineAsync($"{rows.Count} match{(rows.Count == 1 ? "" : "es")}").ConfigureAwait(false);
    }

    private static string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => (c.Length > widths[i] ? c[..widths[i]] : c).PadRight(widths[i]))).TrimEnd();
}
