using System.Net;
using Microsoft.Extensions.Logging;
using NodeAgent.Dicom;
using NodeAgent.Dicom.IO;
using NodeAgent.Dicom.Network;
using NodeAgent.Dicom.Network.Client;
using NodeAgent.Dicom.Network.Query;
using NodeAgent.Dicom.Network.Server;
using NodeAgent.Testing.Peers;

namespace NodeAgent.IntegrationTests.Network;

/// <summary>Starting our server on loopback, building clients and queries, comparing received files.</summary>
internal static class NetworkTestSupport
{
    private const int StartAttempts = 5;

    /// <summary>
    /// Our <see cref="DicomServer"/> on 127.0.0.1 at a port from <see cref="FreeTcpPort.Pick"/>, retried on
    /// another port if someone took it between the pick and the bind.
    /// </summary>
    public static async Task<DicomServer> StartServerAsync(HandlerServices services, string aeTitle = "NODEAGENT", ILogger<DicomServer>? logger = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var options = new DicomServerOptions { AeTitle = aeTitle, BindAddress = IPAddress.Loopback, Port = FreeTcpPort.Pick() };
            var server = new DicomServer(options, services, logger);
            try
            {
                server.Start();
                return server;
            }
            catch (DicomNetworkException) when (attempt < StartAttempts)
            {
                await server.DisposeAsync();
            }
        }
    }

    /// <summary>Every socket of this process listening on the server's port is on 127.0.0.1.</summary>
    public static void AssertListensOnLoopbackOnly(DicomServer server)
    {
        var endpoints = ProcessListeners.Of(Environment.ProcessId).Where(e => e.Port == server.Port).ToArray();
        Assert.That(endpoints, Is.Not.Empty, $"nothing of ours listens on port {server.Port}");
        Assert.That(endpoints, Has.All.Matches<IPEndPoint>(e => e!.Address.Equals(IPAddress.Loopback)));
    }

    /// <summary>A client without retries or circuit breaker (a failure is the test's answer), with its own registry.</summary>
    public static DicomClient Client(LoopbackPeer peer, DicomPeerRegistry registry, string callingAeTitle = "NODEAGENT") => new(
        new DicomClientOptions
        {
            Host = LoopbackPeer.Host,
            Port = peer.Port,
            CalledAeTitle = peer.AeTitle,
            CallingAeTitle = callingAeTitle,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            AssociationTimeout = TimeSpan.FromSeconds(10),
            DimseTimeout = TimeSpan.FromSeconds(30),
            Resilience = DicomResilienceOptions.Interactive,
        },
        registry);

    public static async Task<List<DicomDataset>> FindAllAsync(DicomClient client, DicomQuery query, DicomFindSummary? summary = null)
    {
        var matches = new List<DicomDataset>();
        await foreach (var match in client.FindAsync(query, summary))
        {
            matches.Add(match);
        }

        return matches;
    }

    /// <summary>A C-MOVE/C-GET identifier: the level and the unique keys only (PS3.4 C.4.2.1.4), as the CLI builds it.</summary>
    public static DicomQuery RetrieveIdentifier(DicomQueryLevel level, params (DicomTag Tag, string Uid)[] keys)
    {
        var query = DicomQuery.Create(level);
        foreach (var item in query.Identifier.ToList().Where(i => i.Tag != DicomTags.QueryRetrieveLevel))
        {
            query.Identifier.Remove(item.Tag);
        }

        foreach (var (tag, uid) in keys)
        {
            query.Match(tag, uid);
        }

        return query;
    }

    public static DicomQuery StudyIdentifier(string studyInstanceUid) =>
        RetrieveIdentifier(DicomQueryLevel.Study, (DicomTags.StudyInstanceUID, studyInstanceUid));

    /// <summary>The SOP Instance UIDs of the Part 10 files in a folder (as our reader sees them), checking each file's name.</summary>
    public static IReadOnlyList<string> SopInstanceUidsIn(string directory) =>
        Directory.GetFiles(directory).Select(SopInstanceUid).ToArray();

    public static string SopInstanceUid(string file)
    {
        using var dicom = DicomFile.Open(file, DicomReadOptions.StopBeforePixelData);
        return dicom.Dataset.GetString(DicomTags.SOPInstanceUID) ?? throw new InvalidOperationException($"{file} has no SOP Instance UID.");
    }

    /// <summary>Content differences between the data sets of two Part 10 files (file meta excluded); empty when equal.</summary>
    public static IReadOnlyList<string> Differences(string expectedFile, string actualFile)
    {
        using var expected = DicomFile.Open(expectedFile);
        using var actual = DicomFile.Open(actualFile);
        return DicomDatasetDiff.Compare(expected.Dataset, actual.Dataset);
    }

    public static IReadOnlyList<string> Differences(byte[] expectedFile, string actualFile)
    {
        using var stream = new MemoryStream(expectedFile, writable: false);
        using var expected = DicomFile.Read(stream);
        using var actual = DicomFile.Open(actualFile);
        return DicomDatasetDiff.Compare(expected.Dataset, actual.Dataset);
    }

    /// <summary>"file: differences" for every received file whose data set differs from its original; empty when all are equal.</summary>
    public static List<string> CompareWithOriginals(IEnumerable<string> receivedFiles, IReadOnlyDictionary<string, string> originalBySopInstanceUid)
    {
        var problems = new List<string>();
        foreach (var received in receivedFiles)
        {
            var uid = SopInstanceUid(received);
            if (!originalBySopInstanceUid.TryGetValue(uid, out var original))
            {
                problems.Add($"{Path.GetFileName(received)}: not one of the sent instances");
                continue;
            }

            var differences = Differences(original, received);
            if (differences.Count > 0)
            {
                problems.Add($"{Path.GetRelativePath(NetworkCorpus.Directory, original)} ({Path.GetFileName(received)}): {string.Join("; ", differences)}");
            }
        }

        return problems;
    }

    public static IReadOnlyDictionary<string, string> OriginalsBySopInstanceUid(IEnumerable<CorpusInstance> instances) =>
        instances.ToDictionary(i => i.SopInstanceUid, i => i.Path, StringComparer.Ordinal);

    /// <summary>
    /// Runs an operation against a DCMTK peer; if it fails with a network error, the test fails with the
    /// error and the peer's own errors and warnings (which say what it disliked), not just "aborted".
    /// </summary>
    public static async Task<T> ExplainedByPeerAsync<T>(Func<Task<T>> operation, DcmtkListener peer, Func<string>? more = null)
    {
        try
        {
            return await operation();
        }
        catch (DicomNetworkException ex)
        {
            var complaints = peer.Output.Split('\n').Where(l => l.StartsWith("E: ", StringComparison.Ordinal) || l.StartsWith("W: ", StringComparison.Ordinal) || l.StartsWith("F: ", StringComparison.Ordinal));
            throw new AssertionException($"{ex.GetType().Name}: {ex.Message}\n{peer.Tool} logged:\n{string.Join('\n', complaints.Take(30))}{(more is null ? "" : "\n" + more())}", ex);
        }
    }
}
