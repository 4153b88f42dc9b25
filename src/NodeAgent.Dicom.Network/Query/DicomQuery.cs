using System.Text;

namespace NodeAgent.Dicom.Network.Query;

/// <summary>
/// A C-FIND (or the identifier of a C-MOVE/C-GET): level, information model and the identifier
/// of matching keys and return keys (PS3.4 C.2.2). Values with non-ASCII text switch the identifier
/// to UTF-8 (ISO_IR 192) so names in any language can be queried.
/// </summary>
public sealed class DicomQuery
{
    private static readonly Dictionary<DicomQueryLevel, DicomTag[]> DefaultReturnKeys = new()
    {
        [DicomQueryLevel.Patient] = [DicomTags.PatientName, DicomTags.PatientID, DicomTags.PatientBirthDate, DicomTags.PatientSex, DicomTags.NumberOfPatientRelatedStudies],
        [DicomQueryLevel.Study] =
        [
            DicomTags.StudyDate, DicomTags.StudyTime, DicomTags.AccessionNumber, DicomTags.ModalitiesInStudy, DicomTags.StudyDescription,
            DicomTags.PatientName, DicomTags.PatientID, DicomTags.StudyInstanceUID, DicomTags.StudyID, DicomTags.NumberOfStudyRelatedSeries,
            DicomTags.NumberOfStudyRelatedInstances,
        ],
        [DicomQueryLevel.Series] =
        [
            DicomTags.Modality, DicomTags.SeriesNumber, DicomTags.SeriesDescription, DicomTags.BodyPartExamined, DicomTags.SeriesInstanceUID,
            DicomTags.StudyInstanceUID, DicomTags.NumberOfSeriesRelatedInstances,
        ],
        [DicomQueryLevel.Image] = [DicomTags.SOPClassUID, DicomTags.SOPInstanceUID, DicomTags.InstanceNumber, DicomTags.SeriesInstanceUID, DicomTags.StudyInstanceUID],
    };

    private DicomQuery(DicomQueryLevel level, DicomQueryModel model)
    {
        Level = level;
        Model = model;
        Identifier = new DicomDataset();
        Identifier.AddOrUpdate(DicomTags.QueryRetrieveLevel, DicomVR.CS, level.Code());
    }

    public DicomQueryLevel Level { get; }

    public DicomQueryModel Model { get; }

    public DicomDataset Identifier { get; }

    /// <summary>A query with the usual return keys of its level.</summary>
    public static DicomQuery Create(DicomQueryLevel level, DicomQueryModel model = DicomQueryModel.StudyRoot)
    {
        if (model == DicomQueryModel.StudyRoot && level == DicomQueryLevel.Patient)
        {
            throw new ArgumentException("The study root information model has no PATIENT level; use the patient root model.", nameof(level));
        }

        var query = new DicomQuery(level, model);
        foreach (var tag in DefaultReturnKeys[level])
        {
            query.Return(tag);
        }

        return query;
    }

    /// <summary>An empty return key: the peer fills it in each match.</summary>
    public DicomQuery Return(DicomTag tag)
    {
        if (!Identifier.Contains(tag))
        {
            Identifier.AddOrUpdate(new DicomElement(tag, VR(tag), ReadOnlyMemory<byte>.Empty));
        }

        return this;
    }

    /// <summary>
    /// A matching key: single value, wildcard (*, ?), list of UIDs (a\b) or range (20180101-20201231), as PS3.4 C.2.2.2 defines.
    /// </summary>
    public DicomQuery Match(DicomTag tag, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!Ascii.IsValid(value) && Identifier.CharacterSet.IsDefault)
        {
            // Keys already set were ASCII, so they stay valid in UTF-8. A character set the caller chose is kept.
            Identifier.AddOrUpdate(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 192");
        }

        Identifier.AddOrUpdate(tag, VR(tag), value);
        return this;
    }

    private static DicomVR VR(DicomTag tag) =>
        Dictionary.DicomDictionary.Find(tag)?.ValueRepresentation is { } vr and not DicomVR.None
            ? vr
            : throw new ArgumentException($"{tag} is not in the data dictionary.", nameof(tag));
}
