namespace NodeAgent.Pseudonymisation.Batch;

/// <summary>How far a batch is: files handled of the total, with what was set aside or failed, and bytes read.</summary>
public readonly record struct PseudonymisationProgress(int Handled, int Total, int Quarantined, int Failed, long BytesRead);
