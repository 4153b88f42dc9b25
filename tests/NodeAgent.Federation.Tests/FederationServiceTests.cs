using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using NodeAgent.Federation.Disclosure;
using NodeAgent.Federation.Service;
using NodeAgent.Federation.V1;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Counting;
using NodeAgent.Testing.Federation;

namespace NodeAgent.Federation.Tests;

/// <summary>The gRPC service over a real socket (plain-text HTTP/2 on loopback), against a catalogue in memory.</summary>
public sealed class FederationServiceTests
{
    private TestNode _node = null!;
    private GrpcChannel _channel = null!;
    private NodeFederation.NodeFederationClient _client = null!;
    private CountEngine _engine = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        var random = new Random(4);
        var records = Enumerable.Range(0, 3000).Select(i => new SeriesRecord
        {
            Id = "s|" + i,
            Source = "s",
            SeriesInstanceUid = "1.2." + i,
            StudyInstanceUid = "1.3." + (i / 3),
            PatientKey = "P" + (i / 6),
            Modality = i % 7 == 0 ? "PT" : i % 2 == 0 ? "CT" : "MR",
            BodyPart = i % 5 == 0 ? "PROSTATE" : "CHEST",
            Sex = i % 12 < 6 ? "M" : "F",
            AgeYears = 30 + random.Next(50),
            StudyDate = 20150101 + (random.Next(8) * 10000),
            Instances = 1 + random.Next(100),
        }).ToList();
        records.Add(new SeriesRecord { Id = "s|rare", Source = "s", SeriesInstanceUid = "9.9", StudyInstanceUid = "9.8", PatientKey = "RARE", Modality = "MG", Sex = "F", AgeYears = 41, Instances = 2 });
        _engine = CountEngine.Build(records);

        _node = await TestNode.StartAsync(Catalogue(_engine), new TestNodeOptions
        {
            Releaser = new CountReleaser(new DisclosurePolicy(), Enumerable.Repeat((byte)7, 32).ToArray()),
            Federation = new FederationOptions { SiteId = "test-site" },
        });
        _channel = GrpcChannel.ForAddress(_node.Address);
        _client = new NodeFederation.NodeFederationClient(_channel);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _channel?.Dispose();
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }
    }

    [Test]
    public async Task Count_releases_rounded_noisy_values_near_the_truth_with_freshness_and_the_query_hash()
    {
        var request = new CountRequest { Query = new Query { Criterion = QueryTests.And(QueryTests.Set("modality", "CT", "MR"), QueryTests.Range("age", 40, 70)) } };
        var answer = await _client.CountAsync(request);
        var truth = _engine.Count(new AllOf([new InSet(CatalogueField.Modality, ["CT", "MR"]), new InRange(CatalogueField.Age, 40, 70)]));
        Assert.Multiple(() =>
        {
            Assert.That(answer.Series.Count % 10, Is.Zero);
            Assert.That(answer.Series.Count, Is.EqualTo(truth.Series).Within(30));
            Assert.That(answer.Patients.Count, Is.EqualTo(truth.Patients).Within(30));
            Assert.That(answer.Disclosure.Modified, Is.True);
            Assert.That(answer.Disclosure.Threshold, Is.EqualTo(10));
            Assert.That(answer.QueryHash, Has.Length.EqualTo(64));
            Assert.That(answer.Freshness.CatalogueBuilt, Is.Not.Null);
        });
    }

    [Test]
    public async Task The_same_query_a_thousand_times_gives_one_value_and_equivalent_queries_the_same()
    {
        var request = new CountRequest { Query = new Query { Criterion = QueryTests.Set("bodypart", "prostate") } };
        var values = new HashSet<string>();
        for (var i = 0; i < 1000; i++)
        {
            values.Add((await _client.CountAsync(request)).ToString());
        }

        var eucaim = await _client.CountAsync(new CountRequest { Query = QueryTests.Eucaim("""{"ast":{"operand":"OR","children":[{"key":"SNOMEDCT123037004","type":"EQUALS","value":"SNOMEDCT41216001"}]}}""") });
        Assert.Multiple(() =>
        {
            Assert.That(values, Has.Count.EqualTo(1));
            Assert.That(eucaim.ToString(), Is.EqualTo(values.Single()), "the EUCAIM form of the same query is the same query");
        });
    }

    [Test]
    public async Task An_unknown_field_is_refused_with_invalid_argument_and_a_bad_request_naming_it()
    {
        var request = new CountRequest { Query = new Query { Criterion = QueryTests.And(QueryTests.Set("diagnosis", "C61"), QueryTests.Set("modality", "CT")) } };
        var e = (await Assert.ThrowsAsync<RpcException>(async () => await _client.CountAsync(request)))!;
        var status = e.GetRpcStatus();
        Assert.That(status, Is.Not.Null);
        var badRequest = status!.GetDetail<Google.Rpc.BadRequest>();
        Assert.Multiple(() =>
        {
            Assert.That(e.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
            Assert.That(badRequest.FieldViolations.Single().Field, Is.EqualTo("criterion.all_of.items[0].in_set.field"));
            Assert.That(badRequest.FieldViolations.Single().Description, Does.Contain("unknown field 'diagnosis'"));
        });
    }

    [Test]
    public async Task A_request_with_a_field_this_contract_does_not_define_is_refused_not_widened()
    {
        // A criterion kind from a newer contract (field 6, say "in_polygon"): parsed here, it would leave an empty criterion.
        var newer = QueryTests.Set("modality", "CT").ToByteArray().Concat(new byte[] { (6 << 3) | 2, 0 }).ToArray();
        var request = new CountRequest { Query = new Query { Criterion = NodeAgent.Federation.V1.Criterion.Parser.ParseFrom(newer) } };
        var e = (await Assert.ThrowsAsync<RpcException>(async () => await _client.CountAsync(request)))!;
        var facets = (await Assert.ThrowsAsync<RpcException>(async () => await _client.FacetsAsync(new FacetsRequest { Field = "sex", Query = request.Query })))!;
        Assert.Multiple(() =>
        {
            Assert.That(e.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
            Assert.That(e.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>().FieldViolations.Single().Field, Is.EqualTo("request"));
            Assert.That(facets.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        });
    }

    [Test]
    public async Task A_rare_value_stays_hidden_in_counts_and_facets()
    {
        var count = await _client.CountAsync(new CountRequest { Query = new Query { Criterion = QueryTests.Set("modality", "MG") } });
        var facets = await _client.FacetsAsync(new FacetsRequest { Field = "modality", Level = Level.Patients });
        Assert.Multiple(() =>
        {
            Assert.That(count.Patients.FewerThan, Is.EqualTo(10));
            Assert.That(count.Instances.FewerThan, Is.EqualTo(10), "a cohort below the threshold is withheld at every level");
            Assert.That(facets.Cells.Any(c => c.Value == "MG"), Is.False, "a withheld value is not even listed");
            Assert.That(facets.Disclosure.SuppressedCells, Is.GreaterThanOrEqualTo(2), "secondary suppression");
            Assert.That(facets.Cells.All(c => c.Count.Count % 10 == 0), Is.True);
            Assert.That(count.Freshness.Sources.Single().CoveragePercent, Is.EqualTo(100), "coverage, not study counts");
        });
    }

    [Test]
    public async Task An_undefined_level_and_a_flood_of_violations_are_refused_briefly()
    {
        var level = (await Assert.ThrowsAsync<RpcException>(async () => await _client.FacetsAsync(new FacetsRequest { Field = "sex", Level = (Level)99 })))!;
        Assert.That(level.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        var many = QueryTests.Or(Enumerable.Range(0, 200).Select(i => QueryTests.Set("unknown" + i, "x")).ToArray());
        var flood = (await Assert.ThrowsAsync<RpcException>(async () => await _client.CountAsync(new CountRequest { Query = new Query { Criterion = many } })))!;
        Assert.Multiple(() =>
        {
            Assert.That(flood.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
            Assert.That(flood.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>().FieldViolations, Has.Count.EqualTo(20));
        });
    }

    [Test]
    public async Task Node_info_lists_the_fields_and_capabilities_and_search_is_off_by_default()
    {
        var info = await _client.GetNodeInfoAsync(new GetNodeInfoRequest());
        Assert.Multiple(() =>
        {
            Assert.That(info.SiteId, Is.EqualTo("test-site"));
            Assert.That(info.Capabilities, Is.EquivalentTo(new[] { "count", "facets", "eucaim-ast" }));
            Assert.That(info.Fields.Select(f => f.Name), Does.Contain("modality").And.Contain("age"));
            Assert.That(info.Fields.Single(f => f.Name == "sex").Values, Is.EqualTo(new[] { "M", "F", "O" }));
        });
        var search = _client.Search(new SearchRequest());
        var e = (await Assert.ThrowsAsync<RpcException>(async () => await search.ResponseStream.MoveNext(CancellationToken.None)))!;
        Assert.That(e.StatusCode, Is.EqualTo(StatusCode.PermissionDenied));
    }

    [Test]
    public async Task A_requester_whose_budget_is_spent_gets_resource_exhausted_for_new_queries_only()
    {
        var root = Directory.CreateTempSubdirectory("nodeagent-ledger-grpc-").FullName;
        await using var node = await TestNode.StartAsync(Catalogue(_engine), new TestNodeOptions
        {
            AdmitRequesters = true,
            Ledger = PrivacyLedger.Open(Path.Combine(root, "ledger.jsonl"), budget: 6, TimeProvider.System),
        });
        using var channel = GrpcChannel.ForAddress(node.Address);
        var client = new NodeFederation.NodeFederationClient(channel);
        try
        {
            var first = new CountRequest { Query = new Query { Criterion = QueryTests.Set("modality", "CT") } };
            var second = new CountRequest { Query = new Query { Criterion = QueryTests.Set("modality", "MR") } };
            await client.CountAsync(first);
            var e = (await Assert.ThrowsAsync<RpcException>(async () => await client.CountAsync(second)))!;
            Assert.Multiple(() =>
            {
                Assert.That(e.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
                Assert.That(e.Status.Detail, Does.Contain("privacy budget of requester 'development'"));
            });
            Assert.That((await client.CountAsync(first)).Studies, Is.Not.Null, "a query already paid for still answers");
            Assert.That((await client.FacetsAsync(new FacetsRequest { Field = "sex" })).Cells, Is.Not.Empty, "1 epsilon still fits");
        }
        finally
        {
            await node.StopAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    private static FixedNodeCatalogue Catalogue(CountEngine engine) =>
        new(engine, [new SourceState { Id = "pacs", Kind = "dimse", LastSuccessfulSync = DateTime.UtcNow, StudiesSeen = 1000, StudiesIndexed = 1000 }]);
}
