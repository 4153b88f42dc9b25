using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using NodeAgent.Federation.Disclosure;
using NodeAgent.Federation.Security;
using NodeAgent.Federation.Service;
using NodeAgent.Federation.V1;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Counting;
using NodeAgent.Testing;
using NodeAgent.Testing.Federation;

namespace NodeAgent.Federation.Tests;

/// <summary>The federation endpoint over mutual TLS on a real socket: who is let in, and what each may ask.</summary>
public sealed class MutualTlsTests
{
    private TestPki _pki = null!;
    private TestPki _otherPki = null!;
    private TestNode _node = null!;
    private Uri _address = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _pki = TestPki.Create("NodeAgent Test Federation CA");
        _otherPki = TestPki.Create("Somebody Else's CA");
        var engine = CountEngine.Build(Enumerable.Range(0, 200).Select(i => new SeriesRecord { Id = "s|" + i, SeriesInstanceUid = "1." + i, StudyInstanceUid = "2." + i, PatientKey = "P" + i, Modality = "CT", Instances = 1 }));
        var allowList = new RequesterAllowList(
        [
            new RequesterEntry("hub", "CN=hub.federation.test", null, new HashSet<string> { FederationRoles.Count, FederationRoles.Facets }),
            new RequesterEntry("counter", "CN=counter.federation.test", null, new HashSet<string> { FederationRoles.Count }),
        ]);
        _node = await TestNode.StartAsync(new FixedNodeCatalogue(engine), new TestNodeOptions
        {
            Tls = new NodeTls(_pki.Server(), new X509Certificate2Collection(_pki.Ca), allowList),
            Federation = new FederationOptions { SiteId = "tls-site" },
        });
        _address = _node.Address;
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }

        _pki?.Dispose();
        _otherPki?.Dispose();
    }

    [Test]
    public async Task An_allowed_requester_gets_what_its_roles_allow_and_no_more()
    {
        using var hub = Channel(_pki.Client("CN=hub.federation.test"));
        using var counter = Channel(_pki.Client("CN=counter.federation.test"));
        var hubClient = new NodeFederation.NodeFederationClient(hub);
        var counterClient = new NodeFederation.NodeFederationClient(counter);

        Assert.That((await hubClient.CountAsync(new CountRequest())).Studies.Count, Is.EqualTo(200).Within(30));
        Assert.That((await hubClient.FacetsAsync(new FacetsRequest { Field = "modality" })).Cells, Is.Not.Empty);
        Assert.That((await counterClient.CountAsync(new CountRequest())).Studies.Count, Is.EqualTo(200).Within(30));
        Assert.That((await counterClient.GetNodeInfoAsync(new GetNodeInfoRequest())).SiteId, Is.EqualTo("tls-site"));
        var facets = await Refused(() => counterClient.FacetsAsync(new FacetsRequest { Field = "modality" }).ResponseAsync);
        Assert.Multiple(() =>
        {
            Assert.That(facets.StatusCode, Is.EqualTo(StatusCode.PermissionDenied));
            Assert.That(facets.Status.Detail, Does.Contain("'counter' may not ask for facets"));
        });
    }

    [Test]
    public async Task A_certificate_of_the_ca_but_not_on_the_allow_list_is_refused()
    {
        using var stranger = Channel(_pki.Client("CN=stranger.federation.test"));
        var e = await Refused(() => new NodeFederation.NodeFederationClient(stranger).CountAsync(new CountRequest()).ResponseAsync);
        Assert.That(e.StatusCode, Is.EqualTo(StatusCode.PermissionDenied));
    }

    [Test]
    public async Task An_expired_certificate_one_of_another_ca_and_none_at_all_do_not_get_through_the_handshake()
    {
        using var expired = Channel(_pki.Client("CN=hub.federation.test", expired: true));
        using var foreign = Channel(_otherPki.Client("CN=hub.federation.test"));
        using var none = Channel(null);
        foreach (var (name, channel) in new[] { ("expired", expired), ("other CA", foreign), ("no certificate", none) })
        {
            var e = await Refused(() => new NodeFederation.NodeFederationClient(channel).CountAsync(new CountRequest()).ResponseAsync);
            Assert.That(e.StatusCode, Is.EqualTo(StatusCode.Unavailable).Or.EqualTo(StatusCode.Internal), name);
        }
    }

    private static async Task<RpcException> Refused(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (RpcException e)
        {
            return e;
        }

        Assert.Fail("the call was not refused");
        throw new InvalidOperationException();
    }

    private GrpcChannel Channel(X509Certificate2? clientCertificate)
    {
        var handler = new SocketsHttpHandler();
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = new X509CertificateCollection { clientCertificate };
        }

        var ca = _pki.Ca;
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return certificate is X509Certificate2 c && chain.Build(c);
        };
        return GrpcChannel.ForAddress(_address, new GrpcChannelOptions { HttpHandler = handler });
    }
}
