using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using NodeAgent.Federation.Disclosure;
using NodeAgent.Federation.Security;
using NodeAgent.Federation.V1;
using NodeAgent.Hub;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Counting;
using NodeAgent.Testing;
using NodeAgent.Testing.Federation;

namespace NodeAgent.Benchmarks.Peers;

/// <summary>
/// Issue 6's figures: a node's Count latency and throughput under 1, 64 and 1,000 concurrent calls
/// (real gRPC over loopback to <c>nodeagent run</c> in its own process: requester check, rate limit,
/// privacy ledger, disclosure control and audit log on), the CPU time the node spends per call apart
/// from the clients', and the hub's fan-out of one Count to 30 nodes.
/// </summary>
internal static class FederationLatency
{
    private const int WarmUpCalls = 4000;

    public static async Task RunAsync(StringBuilder report, int seriesPerNode = 100_000)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The federation benchmark reads /proc and pins processes with taskset: Linux only.");
        }

        report.AppendLine(CultureInfo.InvariantCulture, $"## Federation: node Count under load, hub fan-out (issue 6)");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"`nodeagent run` (from `dotnet build`) in its own process on a LiteDB catalogue of {seriesPerNode:N0} synthetic series, plain-text HTTP/2 on loopback (development mode: one requester; the mTLS placement below as a site runs it), with its requester check, rate limit (raised out of the way), privacy ledger, disclosure control, audit log and Prometheus endpoint. The gRPC clients run in the benchmark process. Every call is a query not asked before (a modality set, an age range and a study-date range of its own), so each is canonicalised, charged to the ledger, noised and audited anew. Latency is per call, from the client; CPU per call is each process's user + system time over the run (`/proc`, 10 ms ticks) divided by the calls; GCs are the node's (`dotnet_gc_collections_total`). Each placement has a data folder of its own.");
        report.AppendLine();
        report.AppendLine("- **shared**: node and clients on both cores, as on one small server;");
        report.AppendLine("- **pinned**: the node alone on core 0 (`taskset -c 0`), every client thread on core 1 (`taskset -a`): the node's own latency with one core, the clients' cost kept off it;");
        report.AppendLine("- **mTLS**: as shared, but as a site runs it: not in development mode, mutual TLS (client certificate checked against the CA bundle, requester on the allow-list with the count role), the site secret from its file.");
        report.AppendLine();
        report.AppendLine("| placement | concurrent calls | calls | p50 (ms) | p99 (ms) | max (ms) | calls/s | node CPU per call (µs) | client CPU per call (µs) | node GCs per 1,000 calls | methods the node's JIT compiled during the phase | mean released patients per answer | CPU time the VM's host took (steal, ms per second of the phase) |");
        report.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        var folder = Directory.CreateTempSubdirectory("nodeagent-bench-federation-").FullName;
        try
        {
            var written = Path.Combine(folder, "catalogue.db");
            CountLatency.WriteCatalogue(written, seriesPerNode);
            var warmUps = new List<string>();
            using var pki = TestPki.Create("Benchmark CA");
            var (nodeCertificate, nodeKey) = TestPki.WritePem(pki.Server(), folder, "node");
            var caBundle = pki.WriteCaPem(folder, "ca");
            using var hubCertificate = pki.Client("CN=hub");
            var secret = Path.Combine(folder, "site.secret");
            File.WriteAllBytes(secret, System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
            File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            foreach (var (placement, nodeCpus, clientCpus, mutualTls) in new[] { ("shared", (string?)null, (string?)null, false), ("pinned", "0", "1", false), ("mTLS", null, null, true) })
            {
                // Each placement has a data folder of its own: a fresh privacy ledger and audit log, so
                // that no query of one run is already charged in the other.
                var catalogue = Path.Combine(folder, placement, "catalogue.db");
                Directory.CreateDirectory(Path.GetDirectoryName(catalogue)!);
                File.Copy(written, catalogue);
                var queries = new UniqueCountQueries();
                var port = NodeAgent.Testing.Peers.FreeTcpPort.Pick();
                var metricsPort = port;
                while (metricsPort == port)
                {
                    metricsPort = NodeAgent.Testing.Peers.FreeTcpPort.Pick();
                }

                var site = Path.Combine(folder, $"site-{placement}.json");
                var security = mutualTls ? $"\"SiteSecretFile\": \"{secret}\"," : "\"Development\": true,";
                var tls = mutualTls
                    ? $"\"SiteId\": \"bench-site\", \"Tls\": {{ \"CertificateFile\": \"{nodeCertificate}\", \"KeyFile\": \"{nodeKey}\", \"ClientCaFile\": \"{caBundle}\" }}, \"Requesters\": {{ \"hub\": {{ \"Subject\": \"CN=hub\", \"Roles\": [ \"count\" ] }} }},"
                    : "";
                File.WriteAllText(site, $$"""
                    { "NodeAgent": { {{security}} "HealthListen": "", "Telemetry": { "PrometheusListen": "127.0.0.1:{{metricsPort}}" },
                      "Catalogue": { "Path": "{{catalogue}}" },
                      "Federation": { "Listen": "127.0.0.1:{{port}}", {{tls}} "Disclosure": { "BudgetPerMonth": 1e12, "RequestsPerSecond": 1e9, "Burst": 1000000000 } } } }
                    """);
                using var node = ServiceProcess.Start(site, [$": {seriesPerNode} series", "Now listening on"], nodeCpus);
                var self = Process.GetCurrentProcess();
                var original = CurrentCpus();
                try
                {
                    if (clientCpus is not null)
                    {
                        // Every thread of this process (an affinity set through Process applies to
                        // the main thread only on Linux); threads started later inherit it.
                        PinThreads(clientCpus);
                    }

                    using var scraper = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };
                    var metrics = new NodeMetrics(scraper);
                    var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
                    if (mutualTls)
                    {
                        handler.SslOptions.ClientCertificates = new X509CertificateCollection { hubCertificate };
                        handler.SslOptions.RemoteCertificateValidationCallback = ServerCertificateCheck.For(new X509Certificate2Collection(pki.Ca));
                    }

                    using var channel = GrpcChannel.ForAddress($"{(mutualTls ? "https" : "http")}://127.0.0.1:{port}", new GrpcChannelOptions { HttpHandler = handler });
                    var client = new NodeFederation.NodeFederationClient(channel);
                    var (rounds, methods, settled) = await WarmUpAsync(client, queries, metrics);
                    warmUps.Add($"{placement}: {rounds} rounds ({rounds * WarmUpCalls:N0} calls), {methods:N0} methods compiled during them{(settled ? "" : ", **not settled** (the JIT column shows what it still compiled)")}");
                    // 64 concurrent calls for a thousand calls each (several seconds): a p99 over a second or
                    // two is the one worst stall of the machine, not the node's tail.
                    foreach (var (concurrency, calls) in new[] { (1, 2000), (64, 64_000), (1000, 20000) })
                    {
                        var collections = await metrics.GcCollectionsAsync();
                        var jitted = await metrics.JitCompiledMethodsAsync();
                        var nodeCpu = node.CpuTime();
                        var stolen = StolenMilliseconds();
                        self.Refresh();
                        var clientCpu = self.TotalProcessorTime;
                        // On the monotonic clock, as `perf record -k CLOCK_MONOTONIC` stamps its
                        // samples: a profile of the node can be cut to the phase (`perf report --time`).
                        var from = Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
                        var (latencies, seconds, patients) = await LoadAsync(client, queries, concurrency, calls);
                        Console.Error.WriteLine(FormattableString.Invariant($"federation {placement} {concurrency} calls: monotonic {from:F6} to {Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency:F6} s"));
                        var nodeUs = (node.CpuTime() - nodeCpu).TotalMicroseconds / calls;
                        var stealPerSecond = (StolenMilliseconds() - stolen) / seconds;
                        self.Refresh();
                        var clientUs = (self.TotalProcessorTime - clientCpu).TotalMicroseconds / calls;
                        await Task.Delay(400); // the exporter serves a scrape cached for up to 300 ms
                        var gcs = (await metrics.GcCollectionsAsync() - collections) * 1000.0 / calls;
                        jitted = await metrics.JitCompiledMethodsAsync() - jitted;
                        report.AppendLine(CultureInfo.InvariantCulture, $"| {placement} | {concurrency:N0} | {calls:N0} | {P(latencies, 0.5):F2} | {P(latencies, 0.99):F2} | {latencies[^1]:F2} | {calls / seconds:N0} | {nodeUs:F0} | {clientUs:F0} | {gcs:F1} | {jitted:N0} | {patients:N0} | {stealPerSecond:F0} |");
                    }
                }
                finally
                {
                    PinThreads(original);
                }
            }

            report.AppendLine();
            report.AppendLine(CultureInfo.InvariantCulture, $"Before its measured phases each node was loaded at 64 concurrent calls, in rounds of {WarmUpCalls:N0} with a second idle after each, until three rounds in a row compiled at most two methods each (40 rounds at most) (the node's `dotnet_jit_compiled_methods_total`): the steady state of a service that runs for months. {string.Join("; ", warmUps)}. Every answer of the measured phases released its counts (a cohort below the threshold, withheld without totals or noise, would stop the run).");
            report.AppendLine();
            report.AppendLine("Goal of issue 6: p99 under 20 ms at 64 concurrent calls.");
            report.AppendLine();

            var nodes = new List<TestNode>();
            try
            {
                for (var n = 0; n < 30; n++)
                {
                    nodes.Add(await StartNodeAsync(Records(new Random(100 + n), 5_000), Path.Combine(folder, $"ledger-{n}.jsonl")));
                }

                using var hub = new HubClient(nodes.Select(n => n.Address));
                var random = new Random(9);
                var fanOutQueries = new UniqueCountQueries();
                var fanOut = new List<double>();
                for (var i = 0; i < 220; i++)
                {
                    var request = fanOutQueries.Next(random);
                    var watch = Stopwatch.StartNew();
                    var answers = await hub.FanOutAsync((client, options) => client.CountAsync(request, options).ResponseAsync, TimeSpan.FromSeconds(5));
                    if (i >= 20)
                    {
                        fanOut.Add(watch.Elapsed.TotalMilliseconds);
                    }

                    if (answers.Any(a => a.Problem is not null))
                    {
                        throw new InvalidOperationException("A node did not answer: " + answers.First(a => a.Problem is not null).Problem);
                    }
                }

                fanOut.Sort();
                report.AppendLine("Hub fan-out: one Count to 30 nodes (in process, 5,000 series each, plain-text HTTP/2 on loopback), 200 queries after 20 of warm-up, each waiting for all 30 answers:");
                report.AppendLine();
                report.AppendLine("| nodes | p50 (ms) | p99 (ms) | max (ms) |");
                report.AppendLine("| ---: | ---: | ---: | ---: |");
                report.AppendLine(CultureInfo.InvariantCulture, $"| 30 | {P(fanOut, 0.5):F2} | {P(fanOut, 0.99):F2} | {fanOut[^1]:F2} |");
                report.AppendLine();
                report.AppendLine("Goal of issue 6: 30-node fan-out p99 under 100 ms.");
                report.AppendLine();
            }
            finally
            {
                foreach (var node in nodes)
                {
                    await node.DisposeAsync();
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Loads the node until its JIT has settled: rounds of calls at 64 concurrent until three rounds in
    /// a row compile (almost) no method, or 40 rounds. A service that runs for months answers from fully optimised
    /// code; a fixed short warm-up left the tiered JIT compiling through the measured phases (a fifth
    /// of the node's CPU in a profile) and part of the path in its instrumented tier.
    /// </summary>
    private static async Task<(int Rounds, long Methods, bool Settled)> WarmUpAsync(NodeFederation.NodeFederationClient client, UniqueCountQueries queries, NodeMetrics metrics)
    {
        // Three quiet rounds in a row: the tiered JIT works in bursts (a method is promoted after
        // enough calls, once no new method has been compiled for a while), so one quiet round alone
        // is not the end of it.
        const int MaxRounds = 40, QuietRounds = 3, QuietMethods = 2;
        var first = await metrics.JitCompiledMethodsAsync();
        var compiled = first;
        var quiet = 0;
        var rounds = 0;
        while (quiet < QuietRounds && rounds < MaxRounds)
        {
            rounds++;
            await LoadAsync(client, queries, 64, WarmUpCalls);
            // A second idle after each round: under load on one core the JIT's background thread
            // is starved and its queue grows; idle, it drains (and the exporter's cached scrape,
            // up to 300 ms old, is renewed).
            await Task.Delay(1000);
            var now = await metrics.JitCompiledMethodsAsync();
            quiet = now - compiled <= QuietMethods ? quiet + 1 : 0;
            compiled = now;
        }

        return (rounds, compiled - first, quiet == QuietRounds);
    }

    /// <summary>
    /// <paramref name="calls"/> Count calls, <paramref name="concurrency"/> at a time: their latencies,
    /// the seconds all took and the mean of the released patient counts. Stops on a withheld answer:
    /// the load is meant to measure full answers (totals, noise), not the threshold's shortcut.
    /// </summary>
    private static async Task<(List<double> Latencies, double Seconds, double MeanPatients)> LoadAsync(NodeFederation.NodeFederationClient client, UniqueCountQueries queries, int concurrency, int calls)
    {
        var latencies = new List<double>(calls);
        long patients = 0;
        var next = -1;
        var total = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async w =>
        {
            var random = new Random(w);
            var mine = new List<double>();
            while (Interlocked.Increment(ref next) < calls)
            {
                var request = queries.Next(random);
                var watch = Stopwatch.StartNew();
                var answer = await client.CountAsync(request);
                mine.Add(watch.Elapsed.TotalMilliseconds);
                if (answer.Patients.ValueCase != ReleasedCount.ValueOneofCase.Count)
                {
                    throw new InvalidOperationException("The node withheld an answer (a cohort below its threshold): the benchmark's queries must select full cohorts.");
                }

                Interlocked.Add(ref patients, answer.Patients.Count);
            }

            return mine;
        }).ToList();
        foreach (var result in await Task.WhenAll(workers))
        {
            latencies.AddRange(result);
        }

        total.Stop();
        latencies.Sort();
        return (latencies, total.Elapsed.TotalSeconds, (double)patients / calls);
    }

    /// <summary>
    /// Pins every thread of this process to <paramref name="cpus"/> (<c>taskset -a</c>), twice: a thread
    /// the pool starts from a thread not yet pinned during the first pass is caught by the second.
    /// </summary>
    private static void PinThreads(string cpus)
    {
        for (var pass = 0; pass < 2; pass++)
        {
            using var taskset = Process.Start("taskset", ["-a", "-c", "-p", cpus, Environment.ProcessId.ToString(CultureInfo.InvariantCulture)])!;
            taskset.WaitForExit();
            if (taskset.ExitCode != 0)
            {
                throw new InvalidOperationException($"taskset could not pin the benchmark to CPUs {cpus}.");
            }
        }
    }

    /// <summary>
    /// CPU time the hypervisor gave other guests while this machine's CPUs wanted it (steal, all CPUs,
    /// from <c>/proc/stat</c> in 10 ms ticks): on a shared VM, a latency tail that no code of ours made.
    /// </summary>
    private static double StolenMilliseconds()
    {
        var fields = File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 8 ? long.Parse(fields[8], CultureInfo.InvariantCulture) * 10.0 : 0;
    }

    /// <summary>The CPUs this process may run on now, as a list for taskset (from <c>/proc/self/status</c>).</summary>
    private static string CurrentCpus() =>
        File.ReadLines("/proc/self/status").First(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal))["Cpus_allowed_list:".Length..].Trim();

    private static Task<TestNode> StartNodeAsync(List<SeriesRecord> records, string ledger) =>
        TestNode.StartAsync(new FixedNodeCatalogue(CountEngine.Build(records)), new TestNodeOptions
        {
            AdmitRequesters = true,
            Ledger = PrivacyLedger.Open(ledger, budget: double.MaxValue, TimeProvider.System),
        });

    private static List<SeriesRecord> Records(Random random, int count) => Enumerable.Range(0, count).Select(i => new SeriesRecord
    {
        Id = "s|" + i,
        SeriesInstanceUid = "2.25." + i,
        StudyInstanceUid = "2.26." + (i / 3),
        PatientKey = "P" + random.Next(count / 10),
        Modality = UniqueCountQueries.ModalityCodes[random.Next(UniqueCountQueries.ModalityCodes.Count)],
        Sex = random.Next(2) == 0 ? "M" : "F",
        AgeYears = random.Next(0, 100),
        StudyDate = 20100101 + (random.Next(0, 14) * 10000),
        Instances = random.Next(1, 300),
    }).ToList();

    private static double P(List<double> sorted, double q) => sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(q * sorted.Count) - 1)];
}
