using System.CommandLine;
using NodeAgent.Dicom;
using NodeAgent.Dicom.Network.Query;

namespace NodeAgent.Cli.Pacs;

/// <summary>What get and move fetch: a study, or one series of it.</summary>
internal sealed class RetrieveIdentifier
{
    public Option<string> StudyUid { get; } = new("--study-uid") { Description = "Study Instance UID to fetch.", Required = true };

    public Option<string?> SeriesUid { get; } = new("--series-uid") { Description = "Only this series of the study." };

    public Option<DirectoryInfo> Output { get; } = new("--output") { Description = "Folder for the received files.", Required = true };

    public void AddTo(Command command)
    {
        command.Options.Add(StudyUid);
        command.Options.Add(SeriesUid);
        command.Options.Add(Output);
    }

    public DicomQuery Read(ParseResult result)
    {
        var series = result.GetValue(SeriesUid);
        var query = DicomQuery.Create(series is null ? DicomQueryLevel.Study : DicomQueryLevel.Series);
        var identifier = query.Identifier;

        // A retrieve identifier holds the unique keys only (PS3.4 C.4.2.1.4).
        foreach (var item in identifier.ToList().Where(i => i.Tag != DicomTags.QueryRetrieveLevel))
        {
            identifier.Remove(item.Tag);
        }

        query.Match(DicomTags.StudyInstanceUID, result.GetValue(StudyUid)!);
        if (series is not null)
        {
            query.Match(DicomTags.SeriesInstanceUID, series);
        }

        return query;
    }
}
