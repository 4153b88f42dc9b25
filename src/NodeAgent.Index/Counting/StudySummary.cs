namespace NodeAgent.Index.Counting;

/// <summary>
/// One study as the count engine holds it, over all its series: what a study descriptor is made from.
/// The UID stays inside the node; what leaves is a keyed pseudonym of it. <c>Patient</c> is the
/// engine's code for the patient (equal for the studies of one patient), not an identifier.
/// </summary>
public sealed record StudySummary(
    string StudyInstanceUid,
    IReadOnlyList<string> Modalities,
    string? BodyPart,
    string? Sex,
    int? AgeYears,
    int? StudyYear,
    int Series,
    long Instances,
    int Patient);
