namespace NodeAgent.Pseudonymisation.Batch;

/// <summary>What a batch did. Paths are relative to the input folder; no value from any file is here.</summary>
public sealed class PseudonymisationSummary
{
    /// <summary>Failed files listed at most; the count is always exact.</summary>
    public const int MaxListedFailures = 100;

    public int Total { get; init; }

    /// <summary>Files pseudonymised in this run.</summary>
    public int Done { get; init; }

    /// <summary>Files whose output was already there from an earlier run.</summary>
    public int AlreadyDone { get; init; }

    public int Quarantined { get; init; }

    public int Failed { get; init; }

    /// <summary>Images whose burned-in text was blanked by a pixel rule.</summary>
    public int PixelsCleaned { get; init; }

    public long BytesRead { get; init; }

    public TimeSpan Elapsed { get; init; }

    /// <summary>The run was stopped before every file was handled; running it again finishes the rest.</summary>
    public bool Interrupted { get; init; }

    /// <summary>Quarantined files by reason category.</summary>
    public IReadOnlyDictionary<string, int> QuarantineReasons { get; init; } = new Dictionary<string, int>();

    /// <summary>The first failures: relative path and what went wrong.</summary>
    public IReadOnlyList<(string File, string Error)> Failures { get; init; } = [];
}
