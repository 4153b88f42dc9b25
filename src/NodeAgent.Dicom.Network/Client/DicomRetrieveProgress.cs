namespace NodeAgent.Dicom.Network.Client;

/// <summary>Sub-operation counts reported by pending C-MOVE or C-GET responses.</summary>
public readonly record struct DicomRetrieveProgress(int Remaining, int Completed, int Failed, int Warnings);
