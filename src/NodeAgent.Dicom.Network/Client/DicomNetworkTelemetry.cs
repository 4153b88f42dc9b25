using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace NodeAgent.Dicom.Network.Client;

/// <summary>
/// Traces and metrics of DIMSE operations for OpenTelemetry (source and meter
/// <c>NodeAgent.Dicom.Network</c>): the peer's AE title and address and the SOP class, never a
/// query key or anything a data set holds.
/// </summary>
public static class DicomNetworkTelemetry
{
    public const string Name = "NodeAgent.Dicom.Network";

    public static ActivitySource Source { get; } = new(Name);

    private static readonly Meter Meter = new(Name);
    private static readonly Counter<long> Associations = Meter.CreateCounter<long>("nodeagent.dimse.associations", description: "Associations requested of peers, by called AE title and first SOP class.");

    internal static void AssociationRequested(string calledAe, string sopClass) =>
        Associations.Add(1, new TagList { { "peer.ae", calledAe }, { "sop_class", sopClass } });

    internal static Activity? Start(string operation, DicomClientOptions options)
    {
        var activity = Source.StartActivity(operation, ActivityKind.Client);
        activity?.SetTag("peer.ae", options.CalledAeTitle);
        activity?.SetTag("server.address", options.Host);
        activity?.SetTag("server.port", options.Port);
        return activity;
    }
}
