using NodeAgent.Cli;
using NodeAgent.Dicom;
using NodeAgent.Dicom.Network.Client;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Counting;
using NodeAgent.Testing.Peers;

namespace NodeAgent.Tests.Cli;

/// <summary><c>nodeagent pacs listen --index DB</c>: instances pushed by C-STORE are counted in the catalogue as they arrive.</summary>
public class ListenIndexTests
{
    [Test]
    public async Task Pushed_instances_are_indexed_once_each_and_queries_see_them()
    {
        var folder = Directory.CreateTempSubdirectory("nodeagent-listen-index-").FullName;
        try
        {
            var files = Enumerable.Range(0, 4).Select(i => Write(folder, i)).ToList();
            var port = FreeTcpPort.Pick();
            var db = Path.Combine(folder, "catalogue.db");
            using var stop = new CancellationTokenSource();
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            var listening = NodeAgentCommandLine.RunAsync(["pacs", "listen", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--output", Path.Combine(folder, "received"), "--index", db], TextWriter.Synchronized(stdout), TextWriter.Synchronized(stderr), stop.Token);
            using var registry = new DicomPeerRegistry();
            var client = new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = port, CalledAeTitle = "NODEAGENT", Resilience = DicomResilienceOptions.Interactive }, registry);
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await client.EchoAsync();
                    break;
                }
                catch (Exception) when (attempt < 50)
                {
                    await Task.Delay(100);
                }
            }

            Assert.That((await client.StoreAsync(files)).Succeeded, Is.EqualTo(4));
            Assert.That((await client.StoreAsync(files.Take(1))).Succeeded, Is.EqualTo(1), "a resend");
            await stop.CancelAsync();
            Assert.That(await listening, Is.Zero, stderr.ToString());
            Assert.That(stdout.ToString(), Does.Contain("Stopped; 5 files received, 4 newly indexed."));

            using var catalogue = SiteCatalogue.OpenReadOnly(db);
            Assert.That(CountEngine.Build(catalogue.Series()).Count(Criterion.All), Is.EqualTo(new CountResult(2, 2, 2, 4)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Write(string folder, int i)
    {
        var ds = new DicomDataset();
        ds.AddOrUpdate(DicomTags.SOPClassUID, DicomVR.UI, DicomUids.CTImageStorage);
        ds.AddOrUpdate(DicomTags.SOPInstanceUID, DicomVR.UI, $"1.2.826.0.1.3680043.8.498.8.{i}");
        ds.AddOrUpdate(DicomTags.StudyInstanceUID, DicomVR.UI, $"1.2.826.0.1.3680043.8.498.9.{i % 2}");
        ds.AddOrUpdate(DicomTags.SeriesInstanceUID, DicomVR.UI, $"1.2.826.0.1.3680043.8.498.10.{i % 2}");
        ds.AddOrUpdate(DicomTags.Modality, DicomVR.CS, "CT");
        ds.AddOrUpdate(DicomTags.PatientID, DicomVR.LO, "ID-" + (i % 2));
        ds.AddOrUpdate(DicomTags.StudyDate, DicomVR.DA, "20210101");
        var path = Path.Combine(folder, $"{i}.dcm");
        new DicomFile(ds, DicomTransferSyntax.ExplicitVRLittleEndian).Save(path);
        return path;
    }
}
