namespace NodeAgent.Testing.Peers;

/// <summary>How to start a throwaway Orthanc with shared/tools/orthanc-up.sh (see its README for the generated config).</summary>
public sealed class OrthancStartOptions
{
    /// <summary>Orthanc's own AE title.</summary>
    public string AeTitle { get; init; } = "ORTHANC";

    /// <summary>Port of the C-MOVE destination registered at start; null registers none (add one later with RegisterModalityAsync).</summary>
    public int? MovePort { get; init; }

    /// <summary>AE title of that C-MOVE destination.</summary>
    public string MoveAeTitle { get; init; } = "NODEAGENT";

    /// <summary>More loopback modalities Orthanc may send to (--modality AET:PORT).</summary>
    public IReadOnlyList<LoopbackPeer> Modalities { get; init; } = [];

    /// <summary>
    /// A JSON object whose top-level keys replace the generated configuration's, e.g.
    /// <c>{"LimitFindResults": 50}</c> or <c>{"DefaultEncoding": "Utf8"}</c>.
    /// </summary>
    public string? ConfigurationOverrides { get; init; }

    /// <summary>Fixed ports; null lets orthanc-up.sh pick free ones (and retry on a clash, which it cannot do for fixed ones).</summary>
    public int? HttpPort { get; init; }

    public int? DicomPort { get; init; }

    /// <summary>Load the DICOMweb plugin (QIDO/WADO/STOW under /dicom-web/).</summary>
    public bool DicomWeb { get; init; } = true;

    /// <summary>Where the instance's own folder (configuration, log, storage) is created; null means the temp folder.</summary>
    public string? ParentDirectory { get; init; }

    /// <summary>How long orthanc-up.sh waits for HTTP, DICOM and DICOMweb to answer.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
