namespace NodeAgent.Dicom.Network.Associations.Internal;

/// <summary>What an association needs from its owner's options: limits, timers, the clock.</summary>
internal sealed record AssociationSettings
{
    /// <summary>Largest P-DATA-TF we announce and accept.</summary>
    public uint MaxPduLength { get; init; } = 256 * 1024;

    /// <summary>ARTIM: how long to wait for association and release answers, and for a request on a new connection.</summary>
    public TimeSpan AssociationTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Received data sets up to this size stay in memory; larger ones go to a temporary file.</summary>
    public long DatasetMemoryThreshold { get; init; } = 4 << 20;

    public string? SpoolDirectory { get; init; }

    /// <summary>How long a send may make no progress (the peer does not read) before the connection is closed.</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromMinutes(2);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
