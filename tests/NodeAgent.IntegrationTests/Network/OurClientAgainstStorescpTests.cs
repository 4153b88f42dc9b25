using System.Text.RegularExpressions;
using NodeAgent.Dicom;
using NodeAgent.Dicom.Network.Client;
using NodeAgent.Dicom.Network.Dimse;
using NodeAgent.Testing.Peers;
using static NodeAgent.IntegrationTests.Network.NetworkTestSupport;

namespace NodeAgent.IntegrationTests.Network;

/// <summary>
/// Our C-STORE SCU against DCMTK's storescp (3.6.7, accepting every transfer syntax it knows, so our
/// client sends each file in its own transfer syntax).
/// </summary>
[TestFixture]
[Category("Peers")]
public sealed partial class OurClientAgainstStorescpTests
{
    private string _work = null!;
    private DicomPeerRegistry _registry = null!;

    [SetUp]
    public void CreateWorkFolder()
    {
        _work = Directory.CreateTempSubdirectory("nodeagent-storescp-").FullName;
        _registry = new DicomPeerRegistry();
    }

    [TearDown]
    public void DeleteWorkFolder()
    {
        _registry.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    [TestCase(DicomUids.ExplicitVRLittleEndian)]
    [TestCase(DicomUids.ImplicitVRLittleEndian)]
    [TestCase(DicomUids.DeflatedExplicitVRLittleEndian)]
    [TestCase(DicomUids.ExplicitVRBigEndian)]
    [TestCase(DicomUids.JPEGBaseline8Bit)]
    public async Task Store_of_the_files_of_one_transfer_syntax_arrives_with_equal_data_sets(string transferSyntaxUid)
    {
        var instances = NetworkCorpus.Instances.Where(i => i.TransferSyntaxUid == transferSyntaxUid).ToArray();
        Assert.That(instances, Has.Length.GreaterThanOrEqualTo(8));
        var received = Path.Combine(_work, "received");
        await using var storescp = await DcmtkListener.StartStoreScpAsync("STORESCP", received);

        var result = await ExplainedByPeerAsync(() => Client(storescp.Peer, _registry).StoreAsync(instances.Select(i => i.Path)), storescp);

        Assert.That(result.Outcomes.Select(o => o.Status), Has.All.EqualTo(DimseStatus.Success), storescp.Output);
        Assert.That(result.Succeeded, Is.EqualTo(instances.Length));
        Assert.That(SopInstanceUidsIn(received), Is.EquivalentTo(instances.Select(i => i.SopInstanceUid)));
        Assert.That(CompareWithOriginals(Directory.GetFiles(received), OriginalsBySopInstanceUid(instances)), Is.Empty);
    }

    [Test]
    public async Task Store_of_the_whole_corpus_arrives_over_one_association_with_every_data_set_equal()
    {
        var received = Path.Combine(_work, "received");
        var outcomes = new List<DicomStoreOutcome>();
        int pid;
        await using (var storescp = await DcmtkListener.StartStoreScpAsync("STORESCP", received, ["-v"]))
        {
            pid = storescp.Pid;

            var result = await ExplainedByPeerAsync(() => Client(storescp.Peer, _registry).StoreAsync(NetworkCorpus.Files, new SynchronousProgress<DicomStoreOutcome>(outcomes.Add)), storescp);

            Assert.That(result.Failed, Is.Zero, string.Join('\n', result.Outcomes.Where(o => !o.Succeeded).Select(o => $"{o.Source}: {o.Problem}")) + storescp.Output);
            Assert.That(result.Succeeded, Is.EqualTo(NetworkCorpus.Instances.Count));
            Assert.That(outcomes.Select(o => o.Source), Is.EqualTo(NetworkCorpus.Files), "one progress report per file, in order");
            Assert.That(AssociationReceived().Count(storescp.Output), Is.EqualTo(1), storescp.Output);
        }

        Assert.That(ProcessLiveness.IsAlive(pid), Is.False);
        Assert.That(SopInstanceUidsIn(received), Is.EquivalentTo(NetworkCorpus.Instances.Select(i => i.SopInstanceUid)));
        Assert.That(CompareWithOriginals(Directory.GetFiles(received), OriginalsBySopInstanceUid(NetworkCorpus.Instances)), Is.Empty);
    }

    [Test]
    public async Task Store_of_a_file_that_is_not_DICOM_is_reported_and_the_others_still_arrive()
    {
        var received = Path.Combine(_work, "received");
        var notDicom = Path.Combine(_work, "not-dicom.dcm");
        await File.WriteAllTextAsync(notDicom, "not a DICOM file");
        var files = NetworkCorpus.Instances.Where(i => i.TransferSyntaxUid == DicomUids.ExplicitVRLittleEndian).Take(3).Select(i => i.Path).Append(notDicom).ToArray();
        await using var storescp = await DcmtkListener.StartStoreScpAsync("STORESCP", received);

        var result = await Client(storescp.Peer, _registry).StoreAsync(files);

        Assert.That(result.Succeeded, Is.EqualTo(3));
        Assert.That(result.Outcomes.Where(o => !o.Succeeded).Select(o => (o.Source, o.Status)), Is.EqualTo(new[] { (notDicom, (ushort?)null) }));
        Assert.That(Directory.GetFiles(received), Has.Length.EqualTo(3));
    }

    [GeneratedRegex("Association Received")]
    private static partial Regex AssociationReceived();

    /// <summary>Progress&lt;T&gt; posts to the thread pool; this one reports at once, in order.</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
