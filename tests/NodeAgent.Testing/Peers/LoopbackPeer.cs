namespace NodeAgent.Testing.Peers;

/// <summary>A DICOM application entity listening on 127.0.0.1 (every peer in these tests does).</summary>
public sealed record LoopbackPeer(string AeTitle, int Port)
{
    public const string Host = "127.0.0.1";

    /// <summary>The form orthanc-up.sh takes for --modality.</summary>
    public override string ToString() => $"{AeTitle}:{Port}";
}
