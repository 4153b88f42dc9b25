using System.Globalization;
using NodeAgent.Dicom;
using NodeAgent.Index.Catalogue;
using NodeAgent.Pseudonymisation.Keys;

namespace NodeAgent.Index.Sources.Internal;

/// <summary>What a PACS says of one study and one of its series, whichever protocol said it.</summary>
internal sealed record StudyFacts(string StudyUid, string? PatientId, string? IssuerOfPatientId, string? Sex, string? PatientAge, DateOnly? BirthDate, DateOnly? StudyDate);

internal sealed record SeriesFacts(string SeriesUid, string? Modality, string? BodyPart, string? Manufacturer, string? Model, int Instances);

/// <summary>
/// Turns a PACS's study and series answers into a catalogue record: the patient keyed under the site
/// secret (the ID itself is dropped here), the age at the study, the birth date dropped.
/// </summary>
internal static class SeriesRecordFactory
{
    public static SeriesRecord Create(string source, StudyFacts study, SeriesFacts series, PseudonymGenerator pseudonyms) => new()
    {
        Id = SeriesRecord.MakeId(source, series.SeriesUid),
        Source = source,
        StudyInstanceUid = study.StudyUid,
        SeriesInstanceUid = series.SeriesUid,
        PatientKey = PatientKey(study.PatientId, study.IssuerOfPatientId, study.StudyUid, pseudonyms),
        Modality = Clean(series.Modality),
        BodyPart = Clean(series.BodyPart),
        Sex = Clean(study.Sex),
        AgeYears = FolderSource.AgeYears(study.PatientAge, study.BirthDate, study.StudyDate),
        StudyDate = study.StudyDate is { } d ? (d.Year * 10000) + (d.Month * 100) + d.Day : null,
        Manufacturer = Clean(series.Manufacturer),
        ManufacturerModel = Clean(series.Model),
        Instances = series.Instances,
        IndexedAt = DateTime.UtcNow,
    };

    /// <summary>
    /// A record (no instance counted yet) from one instance's header: what a folder scan and a C-STORE
    /// arrival read.
    /// </summary>
    public static SeriesRecord FromHeader(string source, DicomDataset ds, string studyUid, string seriesUid, PseudonymGenerator pseudonyms)
    {
        var study = new StudyFacts(studyUid, ds.GetString(DicomTags.PatientID), ds.GetString(DicomTags.IssuerOfPatientID), ds.GetString(DicomTags.PatientSex),
            ds.GetString(DicomTags.PatientAge), ds.GetDate(DicomTags.PatientBirthDate), ds.GetDate(DicomTags.StudyDate));
        var series = new SeriesFacts(seriesUid, ds.GetString(DicomTags.Modality), ds.GetString(DicomTags.BodyPartExamined), ds.GetString(DicomTags.Manufacturer),
            ds.GetString(DicomTags.ManufacturerModelName), Instances: 0);
        var record = Create(source, study, series, pseudonyms);
        record.SliceThickness = double.TryParse(ds.GetString(DicomTags.SliceThickness)?.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var thickness) ? thickness : null;
        return record;
    }

    /// <summary>The patient's key: the ID and its issuer under the site key; a study without an ID is its own patient.</summary>
    public static string PatientKey(string? patientId, string? issuer, string studyUid, PseudonymGenerator pseudonyms) =>
        string.IsNullOrWhiteSpace(patientId)
            ? pseudonyms.Identifier("catalogue-patient", "study:" + studyUid)
            : pseudonyms.Identifier("catalogue-patient", patientId.Trim() + "^" + issuer?.Trim());

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
