namespace NodeAgent.Pseudonymisation.Profiles;

/// <summary>What rule conditions and pixel rules look at in an instance; none of it identifies a patient.</summary>
public sealed record InstanceFacts(
    string? Modality,
    string? SopClassUid,
    string? Manufacturer,
    string? ManufacturerModelName,
    int Rows,
    int Columns);
