using Microsoft.Extensions.Time.Testing;
using NodeAgent.Federation.Service;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Counting;

namespace NodeAgent.Federation.Tests;

public sealed class LiveNodeCatalogueTests
{
    [Test]
    public void Source_states_are_read_from_the_file_at_most_once_a_second()
    {
        var root = Directory.CreateTempSubdirectory("nodeagent-live-node-").FullName;
        try
        {
            var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
            using var catalogue = SiteCatalogue.Open(Path.Combine(root, "c.db"));
            catalogue.SaveSource(new SourceState { Id = "pacs", Kind = "dimse", ConsecutiveFailures = 0 });
            using var engine = new LiveCountEngine(catalogue, TimeSpan.FromSeconds(10), time);
            var node = new LiveNodeCatalogue(engine, catalogue, time);
            Assert.That(node.Sources().Single().ConsecutiveFailures, Is.Zero);

            catalogue.SaveSource(new SourceState { Id = "pacs", Kind = "dimse", ConsecutiveFailures = 2 });
            Assert.That(node.Sources().Single().ConsecutiveFailures, Is.Zero, "within the second: the states read before");
            time.Advance(TimeSpan.FromSeconds(1.5));
            Assert.That(node.Sources().Single().ConsecutiveFailures, Is.EqualTo(2), "after it: read again");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
