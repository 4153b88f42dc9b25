namespace NodeAgent.Testing.Peers;

/// <summary>The C-FIND information model findscu proposes (its default, worklist, is never what a Q/R test means).</summary>
public enum QueryRetrieveRoot
{
    /// <summary>Study Root (findscu -S).</summary>
    Study,

    /// <summary>Patient Root (findscu -P).</summary>
    Patient,
}
