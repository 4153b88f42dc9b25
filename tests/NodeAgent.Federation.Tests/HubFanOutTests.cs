using Grpc.Net.Client;
using NodeAgent.Federation.Disclosure;
using NodeAgent.Federation.Queries;
using NodeAgent.Federation.Service;
using NodeAgent.Federation.V1;
using NodeAgent.Hub;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Counting;
using NodeAgent.Testing.Federation;

namespace NodeAgent.Federation.Tests;

/// <summary>The hub's fan-out over real sockets: three nodes with different data and policies, one slow, one down.</summary>
public sealed class HubFanOutTests
{
    [Test]
    public async Task Each_node_answers_what_its_policy_releases_and_a_slow_or_absent_node_is_reported()
    {
        var nodes = new List<(TestNode Node, CountEngine Engine, CountReleaser Releaser)>();
        try
        {
            for (var n = 0; n < 3; n++)
            {
                var engine = CountEngine.Build(Records(new Random(n), 300 + (200 * n)));
                var releaser = new CountReleaser(new DisclosurePolicy { Threshold = 5 + n, Rounding = 1 + (4 * n), Epsilon = n * 0.5 }, Enumerable.Repeat((byte)n, 32).ToArray());
                var catalogue = new FixedNodeCatalogue(engine, delay: n == 2 ? TimeSpan.FromSeconds(5) : TimeSpan.Zero);
                nodes.Add((await TestNode.StartAsync(catalogue, new TestNodeOptions { Releaser = releaser }), engine, releaser));
            }

            var down = new Uri($"http://127.0.0.1:{NodeAgent.Testing.Peers.FreeTcpPort.Pick()}");
            var addresses = nodes.Select(n => n.Node.Address).Append(down).ToList();
            using var hub = new HubClient(addresses);
            var criterion = new AllOf([new InSet(CatalogueField.Modality, ["CT", "MR"]), new InRange(CatalogueField.Age, 40, 80)]);
            var request = new CountRequest { Query = ProtoQuery.From(criterion) };

            // Warm the two quick nodes up first (JIT, connections): the deadline is then about the nodes.
            using (var warm = new HubClient(addresses.Take(2)))
            {
                await warm.FanOutAsync((client, options) => client.GetNodeInfoAsync(new GetNodeInfoRequest(), options).ResponseAsync, TimeSpan.FromSeconds(30));
            }

            var answers = await hub.FanOutAsync((client, options) => client.CountAsync(request, options).ResponseAsync, TimeSpan.FromSeconds(2));
            var hash = CanonicalQuery.Of(criterion).Hash;

            Assert.Multiple(() =>
            {
                for (var n = 0; n < 2; n++)
                {
                    var (_, engine, releaser) = nodes[n];
                    var truth = engine.Count(CanonicalQuery.Of(criterion).Criterion);
                    Assert.That(answers[n].Problem, Is.Null, $"node {n}");
                    Assert.That(answers[n].Answer!.Series, Is.EqualTo(releaser.Release(truth.Series, hash, engine.Fingerprint, "series").Released), $"node {n}: what its policy releases");
                    Assert.That(answers[n].Answer!.Patients, Is.EqualTo(releaser.Release(truth.Patients, hash, engine.Fingerprint, "patients").Released), $"node {n}");
                }

                Assert.That(answers[2].Problem, Does.Contain("no answer within 2 s"), "the slow node");
                Assert.That(answers[3].Problem, Does.StartWith("unreachable"), "the node that is down");
                Assert.That(answers[3].Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
            });
        }
        finally
        {
            foreach (var (node, _, _) in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    private static IEnumerable<SeriesRecord> Records(Random random, int count) => Enumerable.Range(0, count).Select(i => new SeriesRecord
    {
        Id = "s|" + i,
        SeriesInstanceUid = "1.2." + i,
        StudyInstanceUid = "1.3." + (i / 2),
        PatientKey = "P" + (i / 5),
        Modality = random.Next(3) switch { 0 => "CT", 1 => "MR", _ => "PT" },
        AgeYears = random.Next(20, 90),
        Instances = random.Next(1, 50),
    }).ToList();
}
