using System.Globalization;

namespace NodeAgent.Testing.Peers;

/// <summary>
/// DCMTK's network clients run to completion, against 127.0.0.1 peers, with TCP_NODELAY=1 (set by
/// ExternalProcess) and timeouts on every step, so a silent peer fails the test instead of hanging it.
/// </summary>
public static class DcmtkTool
{
    /// <summary>Connect (-to) and association (-ta) timeout.</summary>
    private const string AssociationTimeoutSeconds = "10";

    /// <summary>Timeout per DIMSE message (-td): a large C-STORE or a slow C-FIND answer still fits.</summary>
    private const string DimseTimeoutSeconds = "60";

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    /// <summary>C-ECHO. Exit code 0 means the association was accepted and the echo answered.</summary>
    public static ProcessResult EchoScu(string host, int port, string calledAe, string callingAe = "ECHOSCU", TimeSpan? timeout = null) =>
        Run("echoscu", [.. Association(calledAe, callingAe), host, Text(port)], timeout);

    public static ProcessResult EchoScu(LoopbackPeer peer, string callingAe = "ECHOSCU", TimeSpan? timeout = null) =>
        EchoScu(LoopbackPeer.Host, peer.Port, peer.AeTitle, callingAe, timeout);

    /// <summary>
    /// C-STORE of files and/or whole folder trees over one association, with the flags from
    /// shared/tools/README.md: -R proposes only what the files need (the default list lacks e.g.
    /// Segmentation Storage), -xy also proposes JPEG baseline (storescu cannot decompress), -nh goes
    /// on after a failed store, +sd +r scans folders recursively. Exit code 0 with -nh does not prove
    /// that every store succeeded: count what arrived.
    /// </summary>
    public static ProcessResult StoreScu(string host, int port, string calledAe, string callingAe, IEnumerable<string> filesOrDirectories, TimeSpan? timeout = null)
    {
        var inputs = filesOrDirectories.ToArray();
        if (inputs.Length == 0)
        {
            throw new ArgumentException("storescu needs at least one file or folder.", nameof(filesOrDirectories));
        }

        return Run("storescu", ["-xy", "-R", "-nh", "+sd", "+r", .. Association(calledAe, callingAe), host, Text(port), .. inputs], timeout);
    }

    public static ProcessResult StoreScu(LoopbackPeer peer, string callingAe, IEnumerable<string> filesOrDirectories, TimeSpan? timeout = null) =>
        StoreScu(LoopbackPeer.Host, peer.Port, peer.AeTitle, callingAe, filesOrDirectories, timeout);

    /// <summary>
    /// C-FIND at <paramref name="level"/> (PATIENT, STUDY, SERIES, IMAGE) with findscu's -k keys: "Keyword"
    /// asks for a return value, "Keyword=value" matches on it. The answers are in StandardError
    /// (DCMTK logs them as "I:" lines): read them with <see cref="FindScuOutput"/>.
    /// </summary>
    public static ProcessResult FindScu(string host, int port, string calledAe, string callingAe, string level, IEnumerable<string> keys, QueryRetrieveRoot root = QueryRetrieveRoot.Study, TimeSpan? timeout = null)
    {
        var arguments = new List<string> { root == QueryRetrieveRoot.Study ? "-S" : "-P" };
        arguments.AddRange(Association(calledAe, callingAe));
        arguments.AddRange(["-k", $"QueryRetrieveLevel={level}"]);
        foreach (var key in keys)
        {
            arguments.AddRange(["-k", key]);
        }

        arguments.AddRange([host, Text(port)]);
        return Run("findscu", arguments, timeout);
    }

    public static ProcessResult FindScu(LoopbackPeer peer, string callingAe, string level, IEnumerable<string> keys, QueryRetrieveRoot root = QueryRetrieveRoot.Study, TimeSpan? timeout = null) =>
        FindScu(LoopbackPeer.Host, peer.Port, peer.AeTitle, callingAe, level, keys, root, timeout);

    private static string[] Association(string calledAe, string callingAe) =>
        ["-aec", calledAe, "-aet", callingAe, "-to", AssociationTimeoutSeconds, "-ta", AssociationTimeoutSeconds, "-td", DimseTimeoutSeconds];

    private static ProcessResult Run(string tool, IEnumerable<string> arguments, TimeSpan? timeout) =>
        ExternalProcess.Run(tool, arguments, timeout: timeout ?? DefaultTimeout);

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);
}
