using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NodeAgent.Dicom.Network.Client;
using NodeAgent.Dicom.Network.Query;
using NodeAgent.Dicom.Network.Server;
using NodeAgent.Dicom.Network.Tests.Support;

namespace NodeAgent.Dicom.Network.Tests.Client;

/// <summary>The per-AE pipeline: retries with backoff on the injected clock, a circuit breaker, a concurrency limit.</summary>
public class ResilienceTests
{
    [Test]
    public async Task Opening_an_association_is_retried_until_the_PACS_is_back()
    {
        var clock = new FakeTimeProvider();
        var port = PickPort();
        var client = new DicomClient(new DicomClientOptions
        {
            Host = "127.0.0.1",
            Port = port,
            CalledAeTitle = "NODEAGENT",
            Resilience = new DicomResilienceOptions { RetryAttempts = 5, RetryBaseDelay = TimeSpan.FromSeconds(2), BreakerMinimumThroughput = int.MaxValue },
        }, new DicomPeerRegistry(clock));

        var echo = client.EchoAsync();
        await Task.Delay(100);
        Assert.That(echo.IsCompleted, Is.False, "the first attempt was refused and a retry is waiting on the clock");

        await using var server = LoopbackServer.Start(port: port);
        for (var i = 0; i < 100 && !echo.IsCompleted; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(echo, Task.Delay(20));
        }

        Assert.That(await echo, Is.GreaterThan(TimeSpan.Zero));
    }

    [Test]
    public async Task A_PACS_that_keeps_failing_opens_the_circuit_and_is_left_alone()
    {
        var registry = new DicomPeerRegistry();
        var client = new DicomClient(new DicomClientOptions
        {
            Host = "127.0.0.1",
            Port = PickPort(),
            CalledAeTitle = "DOWN",
            Resilience = new DicomResilienceOptions { RetryAttempts = 0, BreakerMinimumThroughput = 2, BreakerFailureRatio = 0.5, BreakerBreakDuration = TimeSpan.FromMinutes(5) },
        }, registry);

        await Assert.ThrowsAsync<SocketException>(() => client.EchoAsync());
        await Assert.ThrowsAsync<SocketException>(() => client.EchoAsync());
        var ex = await Assert.ThrowsAsync<DicomNetworkException>(() => client.EchoAsync());

        Assert.That(ex!.Message, Does.Contain("circuit open"));
        Assert.That(registry.Pipelines.TryGetPipeline("dicom-open/DOWN@127.0.0.1:" + client.Options.Port, out _), Is.True, "a named pipeline per remote AE");
    }

    [Test]
    public async Task No_more_associations_than_allowed_reach_one_PACS()
    {
        var handler = new SlowFindHandler();
        await using var server = LoopbackServer.Start(s => s.AddSingleton<IDicomFindHandler>(handler));
        var client = new DicomClient(new DicomClientOptions
        {
            Host = "127.0.0.1",
            Port = server.Port,
            CalledAeTitle = "NODEAGENT",
            Resilience = DicomResilienceOptions.Interactive with { MaxConcurrentAssociations = 2 },
        }, new DicomPeerRegistry());

        var finds = Enumerable.Range(0, 6).Select(async _ =>
        {
            var n = 0;
            await foreach (var unused in client.FindAsync(DicomQuery.Create(DicomQueryLevel.Study)))
            {
                n++;
            }

            return n;
        }).ToList();
        var counts = await Task.WhenAll(finds);

        Assert.That(counts, Is.All.EqualTo(3));
        Assert.That(handler.MaxConcurrent, Is.EqualTo(2));
    }

    private static int PickPort()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        return ((System.Net.IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private sealed class SlowFindHandler : IDicomFindHandler
    {
        private int _running;

        public int MaxConcurrent { get; private set; }

        public async IAsyncEnumerable<DicomDataset> FindAsync(DicomFindRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _running);
            lock (this)
            {
                MaxConcurrent = Math.Max(MaxConcurrent, now);
            }

            try
            {
                for (var i = 0; i < 3; i++)
                {
                    await Task.Delay(30, cancellationToken);
                    yield return new DicomDataset().AddOrUpdate(DicomTags.StudyInstanceUID, DicomVR.UI, $"1.2.{i}");
                }
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }
    }
}
