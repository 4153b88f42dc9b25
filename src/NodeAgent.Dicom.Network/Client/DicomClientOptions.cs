using NodeAgent.Dicom.Network.Pdus;
using NodeAgent.Dicom.Network.Security;

namespace NodeAgent.Dicom.Network.Client;

/// <summary>Which remote AE to talk to, as whom, and with which limits.</summary>
public sealed record DicomClientOptions
{
    public required string Host { get; init; }

    public required int Port { get; init; }

    /// <summary>The remote AE title (the PACS's).</summary>
    public required string CalledAeTitle { get; init; }

    /// <summary>Our AE title, which the PACS must know.</summary>
    public string CallingAeTitle { get; init; } = "NODEAGENT";

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>ARTIM: waiting for the association and release answers.</summary>
    public TimeSpan AssociationTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Waiting for each DIMSE response (or the next fragment of one).</summary>
    public TimeSpan DimseTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Waiting for the next C-MOVE response. Pending responses are optional (PS3.4 C.4.2.1.3), so a
    /// PACS may say nothing until the whole study has gone to the destination; null waits for ever
    /// (TCP keep-alive still notices a peer that vanished).
    /// </summary>
    public TimeSpan? MoveResponseTimeout { get; init; } = TimeSpan.FromHours(1);

    public uint MaxPduLength { get; init; } = 256 * 1024;

    public DicomTlsOptions? Tls { get; init; }

    public UserIdentityRequest? UserIdentity { get; init; }

    /// <summary>Ask for relational queries in C-FIND (extended negotiation, PS3.4 C.5.1.1).</summary>
    public bool RelationalQueries { get; init; }

    /// <summary>Ask for fuzzy semantic matching of person names in C-FIND.</summary>
    public bool FuzzyNameMatching { get; init; }

    public DicomResilienceOptions Resilience { get; init; } = new();

    /// <summary>Received data sets up to this size stay in memory, larger ones in a temporary file.</summary>
    public long DatasetMemoryThreshold { get; init; } = 4 << 20;

    public string? SpoolDirectory { get; init; }

    /// <summary>"ORTHANC at 127.0.0.1:4242", for messages.</summary>
    public string Describe() => $"{CalledAeTitle} at {Host}:{Port}";
}
