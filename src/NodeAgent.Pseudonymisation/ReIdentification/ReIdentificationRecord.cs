using System.Text.Json.Serialization;

namespace NodeAgent.Pseudonymisation.ReIdentification;

/// <summary>One mapping: the kind of value (PatientID, StudyInstanceUID, DateShiftDays, ...), the original and its pseudonym.</summary>
public sealed record ReIdentificationRecord(string Kind, string Original, string Pseudonym);

[JsonSerializable(typeof(ReIdentificationRecord))]
internal sealed partial class ReIdentificationJsonContext : JsonSerializerContext;
