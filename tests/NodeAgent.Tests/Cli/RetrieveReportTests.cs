using NodeAgent.Cli.Pacs;
using NodeAgent.Dicom;
using NodeAgent.Dicom.IO;
using NodeAgent.Dicom.Network.Client;
using NodeAgent.Dicom.Network.Dimse;
using NodeAgent.Dicom.Network.Storage;

namespace NodeAgent.Tests.Cli;

/// <summary>How get and move end: what they say and their exit code, for the outcomes site IT meets.</summary>
public class RetrieveReportTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("nodeagent-retrieve-report-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_folder, recursive: true);

    [Test]
    public async Task A_retrieve_that_matched_nothing_is_a_failure()
    {
        var (exit, stdout, stderr) = await ReportAsync(new DicomRetrieveResult(DimseStatus.Success, 0, 0, 0, null), received: 0, "get");

        Assert.That(exit, Is.EqualTo(1), "nothing at all is not success");
        Assert.That(stderr, Does.Contain("nothing matched"));
        Assert.That(stdout, Does.Contain("0 files written"));
    }

    [Test]
    public async Task All_instances_arriving_exits_zero()
    {
        var (exit, _, stderr) = await ReportAsync(new DicomRetrieveResult(DimseStatus.Success, 3, 0, 0, null), received: 3, "move");

        Assert.That(exit, Is.Zero, stderr);
        Assert.That(stderr, Is.Empty);
    }

    [Test]
    public async Task A_move_the_PACS_sent_elsewhere_names_the_entry_to_check()
    {
        var (exit, _, stderr) = await ReportAsync(new DicomRetrieveResult(DimseStatus.Success, 11, 0, 0, null), received: 0, "move");

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("11 instances sent, but only 0 arrived here").And.Contain("registered for NODEAGENT"));
    }

    [Test]
    public async Task Failed_sub_operations_are_a_failure()
    {
        var (exit, _, stderr) = await ReportAsync(new DicomRetrieveResult(DimseStatus.SubOperationsCompleteWithFailures, 2, 1, 0, null), received: 2, "get");

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("not everything arrived"));
    }

    private async Task<(int Exit, string Stdout, string Stderr)> ReportAsync(DicomRetrieveResult result, int received, string verb)
    {
        var handler = new FolderStoreHandler(_folder, flushToDisk: false);
        for (var i = 0; i < received; i++)
        {
            using var data = await InstanceAsync(i);
            await handler.StoreAsync(new DicomStoreRequest(DicomUids.SecondaryCaptureImageStorage, Uid(i), "PACS", data), CancellationToken.None);
        }

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await RetrieveReport.WriteAsync(stdout, stderr, verb, "PACS at 127.0.0.1:4242", result, handler, verb == "move" ? "NODEAGENT" : null);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A received data set as the network layer hands it over.</summary>
    private static async Task<ReceivedDataset> InstanceAsync(int index)
    {
        var ds = new DicomDataset();
        ds.AddOrUpdate(DicomTags.SOPClassUID, DicomVR.UI, DicomUids.SecondaryCaptureImageStorage);
        ds.AddOrUpdate(DicomTags.SOPInstanceUID, DicomVR.UI, Uid(index));
        using var bytes = new MemoryStream();
        DicomWriter.WriteDataset(bytes, ds, DicomTransferSyntax.ExplicitVRLittleEndian);
        var received = new ReceivedDataset(DicomTransferSyntax.ExplicitVRLittleEndian);
        await received.AppendAsync(bytes.ToArray(), CancellationToken.None);
        return received;
    }

    private static string Uid(int index) => $"1.2.826.0.1.3680043.8.498.58.{index}";
}
