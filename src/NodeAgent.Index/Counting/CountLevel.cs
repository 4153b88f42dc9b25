namespace NodeAgent.Index.Counting;

public enum CountLevel
{
    Patients,
    Studies,
    Series,
    Instances,
}
