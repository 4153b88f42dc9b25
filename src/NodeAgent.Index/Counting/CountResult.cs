namespace NodeAgent.Index.Counting;

/// <summary>Exact local counts at every level for one query.</summary>
public readonly record struct CountResult(long Patients, long Studies, long Series, long Instances)
{
    public long At(CountLevel level) => level switch
    {
        CountLevel.Patients => Patients,
        CountLevel.Studies => Studies,
        CountLevel.Series => Series,
        _ => Instances,
    };
}
