namespace NodeAgent.Dicom.Network.Client;

/// <summary>How a C-STORE batch went: per file, the status the peer gave or why it was not sent.</summary>
public sealed class DicomStoreResult
{
    private readonly List<DicomStoreOutcome> _outcomes = [];

    public IReadOnlyList<DicomStoreOutcome> Outcomes => _outcomes;

    public int Succeeded => _outcomes.Count(o => o.Succeeded);

    public int Failed => _outcomes.Count(o => !o.Succeeded);

    internal void Add(DicomStoreOutcome outcome) => _outcomes.Add(outcome);
}
