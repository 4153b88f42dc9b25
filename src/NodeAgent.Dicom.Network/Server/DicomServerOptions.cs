using System.Net;
using NodeAgent.Dicom.Network.Security;

namespace NodeAgent.Dicom.Network.Server;

/// <summary>How the DICOM service provider listens and whom it accepts.</summary>
public sealed record DicomServerOptions
{
    /// <summary>Our AE title; associations to another called AE title are rejected when <see cref="CheckCalledAeTitle"/> is set.</summary>
    public string AeTitle { get; init; } = "NODEAGENT";

    /// <summary>Loopback unless configured otherwise: a service must be opened on purpose.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    /// <summary>0 picks a free port (see <see cref="DicomServer.Port"/>).</summary>
    public int Port { get; init; } = 11112;

    public bool CheckCalledAeTitle { get; init; } = true;

    /// <summary>Calling AE titles allowed to associate; null allows any.</summary>
    public IReadOnlySet<string>? AllowedCallingAeTitles { get; init; }

    /// <summary>ARTIM: how long a new connection may take to send its association request.</summary>
    public TimeSpan AssociationTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>An established association with no message for this long is aborted.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Transfer syntaxes chosen first when a sender proposes several, in this order; any other syntax
    /// we can read is accepted in the sender's order after them. Like DCMTK's storescp, uncompressed
    /// little endian comes first: a sender offering a lossy syntax first for data it holds
    /// uncompressed would otherwise be asked to compress it, which it often cannot do.
    /// </summary>
    public IReadOnlyList<string> PreferredTransferSyntaxes { get; init; } = [DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian];

    public uint MaxPduLength { get; init; } = 256 * 1024;

    /// <summary>Associations served at once; more are rejected as transient (local limit exceeded).</summary>
    public int MaxAssociations { get; init; } = 32;

    public DicomTlsOptions? Tls { get; init; }

    /// <summary>Received data sets up to this size stay in memory, larger ones in a temporary file.</summary>
    public long DatasetMemoryThreshold { get; init; } = 4 << 20;

    public string? SpoolDirectory { get; init; }
}
