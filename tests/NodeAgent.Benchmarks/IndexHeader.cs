namespace NodeAgent.Benchmarks;

/// <summary>The attributes a catalogue needs from one instance: what the header scan benchmark extracts.</summary>
public sealed record IndexHeader(
    string? SopClassUid,
    string? SopInstanceUid,
    string? StudyInstanceUid,
    string? SeriesInstanceUid,
    string? PatientId,
    string? Modality,
    string? StudyDate,
    string? BodyPartExamined,
    string? PatientSex,
    string? PatientAge,
    string? Manufacturer,
    string? ManufacturerModelName,
    string? SliceThickness,
    string? SeriesNumber,
    string? InstanceNumber,
    ushort? Rows,
    ushort? Columns,
    string TransferSyntaxUid);
