using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NodeAgent.Federation.Disclosure;
using NodeAgent.Federation.Security;
using NodeAgent.Federation.Service;
using NodeAgent.Federation.Tunnel;
using NodeAgent.Federation.V1;
using NodeAgent.Hub;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Counting;
using NodeAgent.Testing;
using NodeAgent.Testing.Federation;

namespace NodeAgent.Federation.Tests;

/// <summary>Outbound-only mode over real sockets: the node dials the hub; the hub restarts and the node comes back by itself.</summary>
public sealed class TunnelTests
{
    [Test]
    public async Task A_tunnelled_node_answers_like_a_direct_one_and_reconnects_when_the_hub_restarts()
    {
        var port = NodeAgent.Testing.Peers.FreeTcpPort.Pick();
        var engine = CountEngine.Build(Enumerable.Range(0, 400).Select(i => new SeriesRecord { Id = "s|" + i, SeriesInstanceUid = "1." + i, StudyInstanceUid = "2." + (i / 2), PatientKey = "P" + (i / 4), Modality = i % 3 == 0 ? "CT" : "MR", Instances = 3 }));
        var releaser = new CountReleaser(new DisclosurePolicy(), Enumerable.Repeat((byte)9, 32).ToArray());
        var service = new NodeFederationService(new FixedNodeCatalogue(engine), releaser, new FederationOptions { SiteId = "tunnel-site" }, NullLogger<NodeFederationService>.Instance);
        var hubRequester = new Requester("hub", new HashSet<string> { FederationRoles.Count });
        var client = new TunnelClient(
            new TunnelOptions
            {
                Hub = new Uri($"http://127.0.0.1:{port}"),
                SiteId = "tunnel-site",
                Requester = hubRequester,
                Heartbeat = TimeSpan.FromMilliseconds(200),
                ReconnectDelay = TimeSpan.FromMilliseconds(100),
                MaxReconnectDelay = TimeSpan.FromMilliseconds(500),
            },
            service,
            NullLogger<TunnelClient>.Instance);
        using var stop = new CancellationTokenSource();
        var running = client.RunAsync(stop.Token);
        try
        {
            var direct = await service.Count(new CountRequest { Query = new Query { Criterion = QueryTests.Set("modality", "MR") } }, DirectContext(hubRequester));
            for (var round = 0; round < 2; round++)
            {
                var registry = new TunnelRegistry();
                await using var hub = await StartHub(port, registry);
                Assert.That(await registry.WaitForSitesAsync(1, TimeSpan.FromSeconds(20)), Is.True, $"round {round}: the node dialled in");
                var reply = await registry.CallAsync("tunnel-site", id => new TunnelCall { Id = id, Count = new CountRequest { Query = new Query { Criterion = QueryTests.Set("modality", "MR") } } }, TimeSpan.FromSeconds(5));
                var facets = await registry.CallAsync("tunnel-site", id => new TunnelCall { Id = id, Facets = new FacetsRequest { Field = "modality" } }, TimeSpan.FromSeconds(5));
                Assert.Multiple(() =>
                {
                    Assert.That(reply.Count.Series, Is.EqualTo(direct.Series), "the same answer as a direct call");
                    Assert.That(reply.Count.QueryHash, Is.EqualTo(direct.QueryHash));
                    Assert.That((Grpc.Core.StatusCode)facets.Failure.Code, Is.EqualTo(Grpc.Core.StatusCode.PermissionDenied), "the hub's roles apply");
                });
            }

            Assert.That(client.Connections, Is.EqualTo(2), "one reconnection, after the hub's restart");
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }
    }

    [Test]
    public async Task The_hub_refuses_bad_site_ids_and_a_node_that_does_not_answer_costs_a_call_its_deadline_only()
    {
        var port = NodeAgent.Testing.Peers.FreeTcpPort.Pick();
        var registry = new TunnelRegistry();
        await using var hub = await StartHub(port, registry);
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var client = new HubTunnel.HubTunnelClient(channel);

        using (var bad = client.Connect())
        {
            await bad.RequestStream.WriteAsync(new NodeToHub { Hello = new TunnelHello { SiteId = "not a site/id" } });
            var e = (await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await bad.ResponseStream.MoveNext(CancellationToken.None)))!;
            Assert.That(e.StatusCode, Is.EqualTo(Grpc.Core.StatusCode.InvalidArgument));
        }

        // A node that says hello, then never answers, twice (the second replaces the first).
        using var first = client.Connect();
        await first.RequestStream.WriteAsync(new NodeToHub { Hello = new TunnelHello { SiteId = "mute" } });
        Assert.That(await registry.WaitForSitesAsync(1, TimeSpan.FromSeconds(10)), Is.True);
        using var second = client.Connect();
        await second.RequestStream.WriteAsync(new NodeToHub { Hello = new TunnelHello { SiteId = "mute" } });
        using (var replaced = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            Assert.That(await first.ResponseStream.MoveNext(replaced.Token), Is.False, "the first stream is closed by the hub when the site dials again");
        }

        Assert.That(registry.Sites, Is.EqualTo(new[] { "mute" }));

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var late = (await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await registry.CallAsync("mute", id => new TunnelCall { Id = id, Count = new CountRequest() }, TimeSpan.FromMilliseconds(500))))!;
        Assert.Multiple(() =>
        {
            Assert.That(late.StatusCode, Is.EqualTo(Grpc.Core.StatusCode.DeadlineExceeded));
            Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        });

        await second.RequestStream.CompleteAsync();
        for (var i = 0; i < 100 && registry.Sites.Count > 0; i++)
        {
            await Task.Delay(50);
        }

        var gone = (await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await registry.CallAsync("mute", id => new TunnelCall { Id = id, Count = new CountRequest() }, TimeSpan.FromSeconds(30))))!;
        Assert.That(gone.StatusCode, Is.EqualTo(Grpc.Core.StatusCode.Unavailable), "a site that left fails at once");
    }

    private static Grpc.Core.ServerCallContext DirectContext(Requester requester)
    {
        var context = new Tunnel.Internal.TunnelCallContext("/direct", DateTime.UtcNow.AddMinutes(1), CancellationToken.None);
        context.UserState[RequesterInterceptor.UserStateKey] = requester;
        return context;
    }

    [Test]
    public async Task Over_mutual_tls_a_node_answers_counts_and_searches_and_may_speak_only_for_its_own_site()
    {
        using var pki = TestPki.Create("NodeAgent Test Tunnel CA");
        using var otherPki = TestPki.Create("Another CA");
        var port = NodeAgent.Testing.Peers.FreeTcpPort.Pick();
        var registry = new TunnelRegistry();
        await using var hub = await StartHub(port, registry, pki.Server(), new X509Certificate2Collection(pki.Ca));
        var engine = CountEngine.Build(Enumerable.Range(0, 600).Select(i => new SeriesRecord { Id = "s|" + i, SeriesInstanceUid = "1." + i, StudyInstanceUid = "2." + i, PatientKey = "P" + (i / 2), Modality = "CT", Sex = "F", AgeYears = 50, StudyDate = 20240101, Instances = 10 }));
        var service = new NodeFederationService(
            new FixedNodeCatalogue(engine),
            new CountReleaser(new DisclosurePolicy(), new byte[32]),
            new FederationOptions { SiteId = "site-a", SearchEnabled = true, SearchMaxResults = 20 },
            NullLogger<NodeFederationService>.Instance,
            descriptors: new DescriptorReleaser(new byte[32]));
        var everything = new Requester("hub", new HashSet<string>(FederationRoles.All));
        var hubCa = new X509Certificate2Collection(pki.Ca);

        TunnelClient Node(string site, X509Certificate2 certificate) => new(
            new TunnelOptions
            {
                Hub = new Uri($"https://127.0.0.1:{port}"),
                SiteId = site,
                Requester = everything,
                ReconnectDelay = TimeSpan.FromMilliseconds(100),
                MaxReconnectDelay = TimeSpan.FromMilliseconds(300),
                CreateHandler = () => new SocketsHttpHandler
                {
                    SslOptions =
                    {
                        ClientCertificates = [certificate],
                        RemoteCertificateValidationCallback = ServerCertificateCheck.For(hubCa),
                    },
                },
            },
            service,
            NullLogger<TunnelClient>.Instance);

        using var stop = new CancellationTokenSource();
        var honest = Node("site-a", pki.Node("site-a"));
        var impostor = Node("site-b", pki.Node("site-c"));
        var stranger = Node("site-d", otherPki.Node("site-d"));
        var running = new[] { honest.RunAsync(stop.Token), impostor.RunAsync(stop.Token), stranger.RunAsync(stop.Token) };
        try
        {
            Assert.That(await registry.WaitForSitesAsync(1, TimeSpan.FromSeconds(20)), Is.True);
            var count = await registry.CallAsync("site-a", id => new TunnelCall { Id = id, Count = new CountRequest() }, TimeSpan.FromSeconds(5));
            var search = await registry.CallAsync("site-a", id => new TunnelCall { Id = id, Search = new SearchRequest() }, TimeSpan.FromSeconds(5));
            await Task.Delay(1000); // time for the impostor and the stranger to try, and try again
            Assert.Multiple(() =>
            {
                Assert.That(count.Count.Series.Count, Is.EqualTo(600).Within(20));
                Assert.That(search.Search.Summary.Truncated, Is.True);
                Assert.That(search.Search.Studies, Is.Not.Empty.And.Count.LessThanOrEqualTo(20));
                Assert.That(registry.Sites, Is.EqualTo(new[] { "site-a" }), "a certificate for site-c cannot speak for site-b; another CA's not at all");
            });
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(running);
        }
    }

    private static async Task<WebApplication> StartHub(int port, TunnelRegistry registry, X509Certificate2? certificate = null, X509Certificate2Collection? nodeCas = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port, o =>
        {
            if (certificate is null)
            {
                o.Protocols = HttpProtocols.Http2;
            }
            else
            {
                MutualTls.Configure(o, certificate, new ClientCertificateCheck(nodeCas!, TimeProvider.System));
            }
        }));
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(registry);
        var app = builder.Build();
        app.MapGrpcService<HubTunnelService>();
        await app.StartAsync();
        return app;
    }
}
