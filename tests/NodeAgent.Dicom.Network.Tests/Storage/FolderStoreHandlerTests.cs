using NodeAgent.Dicom.Network.Storage;

namespace NodeAgent.Dicom.Network.Tests.Storage;

/// <summary>The folder a store handler writes into: what it leaves there and what it cleans up.</summary>
public class FolderStoreHandlerTests
{
    [Test]
    public void Partial_files_a_killed_process_left_are_removed_and_live_ones_kept()
    {
        var folder = Directory.CreateTempSubdirectory("nodeagent-folder-handler-").FullName;
        try
        {
            var abandoned = Path.Combine(folder, ".1.2.3.dcm.0a1b.partial");
            var live = Path.Combine(folder, ".1.2.4.dcm.0a1c.partial");
            var complete = Path.Combine(folder, "1.2.5.dcm");
            foreach (var path in new[] { abandoned, live, complete })
            {
                File.WriteAllBytes(path, [1, 2, 3]);
            }

            File.SetLastWriteTimeUtc(abandoned, DateTime.UtcNow - FolderStoreHandler.AbandonedAfter - TimeSpan.FromMinutes(1));
            File.SetLastWriteTimeUtc(complete, DateTime.UtcNow - TimeSpan.FromDays(30));

            _ = new FolderStoreHandler(folder);

            Assert.That(File.Exists(abandoned), Is.False, "abandoned partial file");
            Assert.That(File.Exists(live), Is.True, "a transfer of another process may still be writing it");
            Assert.That(File.Exists(complete), Is.True, "received files are never touched");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
