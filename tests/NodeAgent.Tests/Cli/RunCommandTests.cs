using System.Diagnostics;
using System.Globalization;
using NodeAgent.Cli;
using NodeAgent.Dicom;
using NodeAgent.Dicom.IO;

namespace NodeAgent.Tests.Cli;

/// <summary><c>nodeagent run</c> and configured sources: the configuration checked before start, the service syncing and stopping cleanly.</summary>
public class RunCommandTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder()
    {
        _folder = Directory.CreateTempSubdirectory("nodeagent-run-").FullName;
        var export = Path.Combine(_folder, "export");
        Directory.CreateDirectory(export);
        for (var i = 0; i < 4; i++)
        {
            var ds = new DicomDataset();
            ds.AddOrUpdate(DicomTags.SOPClassUID, DicomVR.UI, DicomUids.CTImageStorage);
            ds.AddOrUpdate(DicomTags.SOPInstanceUID, DicomVR.UI, $"1.2.826.0.1.3680043.8.498.15.{i}");
            ds.AddOrUpdate(DicomTags.StudyInstanceUID, DicomVR.UI, $"1.2.826.0.1.3680043.8.498.16.{i % 2}");
            ds.AddOrUpdate(DicomTags.SeriesInstanceUID, DicomVR.UI, $"1.2.826.0.1.3680043.8.498.17.{i % 2}");
            ds.AddOrUpdate(DicomTags.Modality, DicomVR.CS, "CT");
            ds.AddOrUpdate(DicomTags.PatientID, DicomVR.LO, "ID-" + (i % 2));
            new DicomFile(ds, DicomTransferSyntax.ExplicitVRLittleEndian).Save(Path.Combine(export, $"{i}.dcm"), new DicomWriteOptions { FlushToDisk = false });
        }
    }

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_folder, recursive: true);

    private string Site(string sources, string extra = "\"Development\": true,", string catalogue = "", string health = "") =>
        Write("site.json", $$"""{ "NodeAgent": { {{extra}} "HealthListen": "{{health}}", "Catalogue": { "Path": "{{Json(Path.Combine(_folder, "data", "catalogue.db"))}}" {{catalogue}} }, "Sources": { {{sources}} } } }""");

    private string FolderSource => "\"export\": { \"Kind\": \"folder\", \"Path\": \"" + Json(Path.Combine(_folder, "export")) + "\" }";

    [TestCase("\"pacs\": { \"Kind\": \"dimse\", \"Port\": 104, \"CalledAe\": \"PACS\" }", "NodeAgent:Sources:pacs:Host is missing")]
    [TestCase("\"pacs\": { \"Kind\": \"dimse\", \"Host\": \"pacs\", \"Port\": 70000, \"CalledAe\": \"PACS\" }", "NodeAgent:Sources:pacs:Port must be 1 to 65535 (got 70000)")]
    [TestCase("\"pacs\": { \"Kind\": \"dimse\", \"Host\": \"pacs\", \"Port\": \"abc\", \"CalledAe\": \"PACS\" }", "NodeAgent:Sources:pacs:Port")]
    [TestCase("\"pacs\": { \"Kind\": \"dimse\", \"Host\": \"pacs\", \"Port\": 104, \"CalledAe\": \"A-TITLE-FAR-TOO-LONG\" }", "NodeAgent:Sources:pacs:CalledAe must be the PACS AE title")]
    [TestCase("\"pacs\": { \"Kind\": \"tape\" }", "NodeAgent:Sources:pacs:Kind must be dimse, dicomweb, folder or store (got 'tape')")]
    [TestCase("\"modalities\": { \"Kind\": \"store\", \"Path\": \"/tmp/x\", \"Port\": 11112, \"Bind\": \"everywhere\" }", "NodeAgent:Sources:modalities:Bind must be an address to listen on")]
    [TestCase("\"pacs\": { \"Kind\": \"folder\", \"Path\": \"/x\", \"Hours\": \"nights\" }", "NodeAgent:Sources:pacs:Hours: 'nights' is not a range of hours")]
    [TestCase("\"pacs\": { \"Kind\": \"folder\", \"Path\": \"/x\", \"FullEvery\": \"daily\" }", "NodeAgent:Sources:pacs:FullEvery must be a duration")]
    [TestCase("\"pacs\": { \"Kind\": \"folder\", \"Path\": \"/x\", \"Hostt\": \"pacs\" }", "NodeAgent:Sources:pacs:Hostt is not a setting NodeAgent knows (did you mean NodeAgent:Sources:pacs:Host?)")]
    [TestCase("\"web\": { \"Kind\": \"dicomweb\", \"Url\": \"pacs:8042\" }", "NodeAgent:Sources:web:Url must be the DICOMweb base URL")]
    public async Task Each_bad_setting_is_named_with_what_is_expected_and_nothing_starts(string source, string message)
    {
        var (exit, _, stderr) = await RunAsync("run", "--config", Site(source));
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(2));
            Assert.That(stderr, Does.Contain(message));
            Assert.That(File.Exists(Path.Combine(_folder, "data", "catalogue.db")), Is.False, "nothing created");
        });
    }

    [Test]
    public async Task Outside_development_a_site_secret_is_required_and_must_be_usable()
    {
        const string NoFederation = "\"Federation\": { \"Enabled\": false },";
        var (exit, _, stderr) = await RunAsync("run", "--config", Site(FolderSource, extra: NoFederation), "--check");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(2));
            Assert.That(stderr, Does.Contain("NodeAgent:SiteSecretFile is not set"));
        });

        var missing = Path.Combine(_folder, "missing.secret");
        (exit, _, stderr) = await RunAsync("run", "--config", Site(FolderSource, extra: NoFederation + $"\"SiteSecretFile\": \"{Json(missing)}\","), "--check");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(2));
            Assert.That(stderr, Does.Contain("NodeAgent:SiteSecretFile:"));
        });

        (exit, _, stderr) = await RunAsync("run", "--config", Path.Combine(_folder, "nowhere.json"));
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(2));
            Assert.That(stderr, Does.Contain("nowhere.json does not exist"));
        });
    }

    [TestCase("\"Development\": true, \"Federation\": { \"Listen\": \"0.0.0.0:50051\" },", "NodeAgent:Federation:Listen: plain-text gRPC (development mode) listens on loopback only")]
    [TestCase("\"Development\": true, \"Federation\": { \"Listen\": \"localhost\" },", "NodeAgent:Federation:Listen must be an address and port")]
    [TestCase("\"Development\": true, \"Federation\": { \"Disclosure\": { \"Threshold\": 0 } },", "Threshold and Rounding are 1 or more")]
    [TestCase("\"Development\": false, \"SiteSecretFile\": \"/x\",", "NodeAgent:Federation:Tls is required outside development mode")]
    public async Task The_federation_endpoint_refuses_unsafe_settings(string extra, string message)
    {
        var (exit, _, stderr) = await RunAsync("run", "--config", Site(FolderSource, extra), "--check");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(2));
            Assert.That(stderr, Does.Contain(message));
        });
    }

    [Test]
    [NonParallelizable]
    public async Task Without_a_site_file_the_embedded_default_writes_and_indexes_a_demo_corpus()
    {
        var catalogue = Path.Combine(_folder, "data", "catalogue.db");
        Environment.SetEnvironmentVariable("NodeAgent__Catalogue__Path", catalogue);
        try
        {
            var (exit, stdout, stderr) = await RunAsync("run", "--check");
            Assert.Multiple(() =>
            {
                Assert.That(exit, Is.Zero, stderr);
                Assert.That(stdout, Does.Contain("(development mode)"));
                Assert.That(stdout, Does.Contain("demo (folder"));
                Assert.That(stdout, Does.Contain("federation: gRPC on 127.0.0.1:50051 (plain text, development mode)"));
                Assert.That(stderr, Does.Contain("wrote a demo corpus of").And.Contain("60 made-up patients"));
            });

            (exit, stdout, stderr) = await RunAsync("index", "--source", "demo");
            Assert.That(exit, Is.Zero, stderr);
            (exit, stdout, stderr) = await RunAsync("query", "count", "--db", catalogue, "--level", "patients");
            Assert.That(stdout, Does.StartWith("patients: 60"), stderr);
        }
        finally
        {
            Environment.SetEnvironmentVariable("NodeAgent__Catalogue__Path", null);
        }
    }

    [Test]
    public async Task Demo_data_writes_readable_instances_into_a_new_folder_only()
    {
        var target = Path.Combine(_folder, "demo");
        var (exit, stdout, stderr) = await RunAsync("demo-data", target, "--patients", "5", "--seed", "3");
        Assert.That(exit, Is.Zero, stderr);
        var files = Directory.GetFiles(target, "*.dcm", SearchOption.AllDirectories);
        Assert.That(stdout, Does.Contain($"{files.Length} files of 5 made-up patients"));
        using var first = NodeAgent.Dicom.DicomFile.Open(files[0]);
        Assert.Multiple(() =>
        {
            Assert.That(first.Dataset.GetString(DicomTags.PatientID), Does.StartWith("DEMO"));
            Assert.That(first.Dataset.Contains(DicomTags.PixelData), Is.True);
        });
        (exit, _, stderr) = await RunAsync("demo-data", target);
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(stderr, Does.Contain("is not empty"));
        });
    }

    [Test]
    [Platform(Exclude = "Win", Reason = "Key file modes.")]
    public async Task An_outbound_only_node_needs_its_certificate_and_the_hubs_ca_but_no_client_ca()
    {
        using var pki = NodeAgent.Testing.TestPki.Create("Federation Test CA");
        var tls = Directory.CreateDirectory(Path.Combine(_folder, "tls")).FullName;
        var (nodeCert, nodeKey) = NodeAgent.Testing.TestPki.WritePem(pki.Client("CN=outbound-site"), tls, "node");
        var ca = pki.WriteCaPem(tls, "ca");
        var secret = Path.Combine(tls, "site.secret");
        NodeAgent.Pseudonymisation.Keys.SiteSecret.CreateOrLoad(secret);
        var site = Site(FolderSource, $$"""
            "SiteSecretFile": "{{Json(secret)}}",
            "Federation": { "Listen": "", "SiteId": "outbound-site",
                            "Tls": { "CertificateFile": "{{Json(nodeCert)}}", "KeyFile": "{{Json(nodeKey)}}" },
                            "Tunnel": { "HubUrl": "https://hub.federation.test:443", "HubCaFile": "{{Json(ca)}}", "Roles": [ "count", "facets" ] } },
            """);
        var (exit, stdout, stderr) = await RunAsync("run", "--config", site, "--check");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, stderr);
            Assert.That(stdout, Does.Contain("federation: no inbound endpoint; tunnel to https://hub.federation.test/ for hub (count, facets)"));
        });
    }

    [Test]
    public async Task The_health_port_must_differ_from_the_federation_port()
    {
        var site = Site(FolderSource, "\"Development\": true, \"Federation\": { \"Listen\": \"127.0.0.1:50052\" },", health: "127.0.0.1:50052");
        var (exit, _, stderr) = await RunAsync("run", "--config", site, "--check");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(2));
            Assert.That(stderr, Does.Contain("use the same port 50052"));
        });
    }

    [Test]
    public async Task Check_says_what_would_run_and_a_configured_source_is_indexed_by_name()
    {
        var site = Site(FolderSource);
        var (exit, stdout, stderr) = await RunAsync("run", "--config", site, "--check");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, stderr);
            Assert.That(stdout, Does.Contain("development mode"));
            Assert.That(stdout, Does.Contain("export (folder, read every 1.00:00:00"));
        });

        (exit, stdout, stderr) = await RunAsync("index", "--source", "export", "--config", site);
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, stderr);
            Assert.That(stdout, Does.Contain("index: export: 4 files, 2 series, 4 instances"));
        });

        (exit, _, stderr) = await RunAsync("index", "--source", "elsewhere", "--config", site);
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(stderr, Does.Contain("no enabled source 'elsewhere' in the configuration (it has export)"));
        });
    }

    [Test]
    [Platform(Exclude = "Win", Reason = "SIGTERM is sent with kill(1).")]
    public async Task The_service_syncs_its_sources_answers_queries_meanwhile_and_stops_cleanly_on_sigterm()
    {
        var port = NodeAgent.Testing.Peers.FreeTcpPort.Pick();
        var healthPort = NodeAgent.Testing.Peers.FreeTcpPort.Pick();
        var site = Site(
            FolderSource,
            extra: $$"""
                "Development": true,
                "Federation": { "Listen": "127.0.0.1:{{port}}", "SiteId": "test-site", "Disclosure": { "Threshold": 1, "Rounding": 1, "Epsilon": 0 } },
                """,
            catalogue: ", \"RefreshInterval\": \"00:00:01\"",
            health: $"127.0.0.1:{healthPort}");
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "nodeagent")) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "run", "--config", site })
        {
            info.ArgumentList.Add(argument);
        }

        using var service = Process.Start(info)!;
        var output = new StringWriter();
        var synced = new TaskCompletionSource();
        service.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.WriteLine(e.Data);
            }

            if (e.Data?.Contains("Full sync done", StringComparison.Ordinal) == true)
            {
                synced.TrySetResult();
            }
        };
        service.BeginOutputReadLine();
        service.BeginErrorReadLine();
        try
        {
            await synced.Task.WaitAsync(TimeSpan.FromSeconds(60));
            var (exit, stdout, stderr) = await RunAsync("query", "count", "--db", Path.Combine(_folder, "data", "catalogue.db"), "--level", "instances");
            Assert.That(exit, Is.Zero, stderr);
            Assert.That(stdout, Does.StartWith("instances: 4"));

            // The hub's view over gRPC, once the engine has been rebuilt after the sync (exact
            // answers: this site's policy here has no noise, no rounding, a threshold of 1).
            string hub = "";
            for (var attempt = 0; attempt < 50 && !hub.Contains("\"instances\":4", StringComparison.Ordinal); attempt++)
            {
                await Task.Delay(200);
                (exit, hub, stderr) = await RunAsync("hub", "count", "--node", $"http://127.0.0.1:{port}", "--format", "json");
            }

            Assert.That(hub, Does.Contain("\"patients\":2,\"studies\":2,\"series\":2,\"instances\":4"), hub + stderr);

            // No source here is watched, and the host must not watch its working directory either
            // (a recursive inotify watch there woke a thread for every catalogue, ledger and audit write).
            Assert.That(InotifyWatches(service.Id), Is.Zero);

            // Probes over plain HTTP on their own port.
            using var http = new HttpClient();
            var alive = await http.GetAsync(new Uri($"http://127.0.0.1:{healthPort}/healthz"));
            var ready = await http.GetAsync(new Uri($"http://127.0.0.1:{healthPort}/readyz"));
            Assert.Multiple(async () =>
            {
                Assert.That(alive.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK));
                Assert.That(ready.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK));
                Assert.That(await ready.Content.ReadAsStringAsync(), Does.Contain("\"ready\":true"));
            });

            using (var kill = Process.Start("kill", ["-TERM", service.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await service.WaitForExitAsync(timeout.Token);
            lock (output)
            {
                Assert.Multiple(() =>
                {
                    Assert.That(service.ExitCode, Is.Zero, "a service manager's stop is not a failure");
                    Assert.That(output.ToString(), Does.Contain("Catalogue work stopped"));
                });
            }

            // Every answer the hub got is in the audit log, whose chain verifies; an edit does not.
            var (verifyExit, verified, verifyError) = await RunAsync("audit", "verify", "--config", site);
            Assert.That(verifyExit, Is.Zero, verified + verifyError);
            Assert.That(verified, Does.Match("[1-9][0-9]* entries, chain intact"));
            var audit = Path.Combine(_folder, "data", "audit.log");
            var lines = await File.ReadAllLinesAsync(audit);
            Assert.That(lines[^1], Does.Contain("\"requester\":\"development\"").And.Contain("\"method\":\"Count\"").And.Contain("\"instances\":\"4\""));
            lines[^1] = lines[^1].Replace("\"instances\":\"4\"", "\"instances\":\"5\"", StringComparison.Ordinal);
            await File.WriteAllLinesAsync(audit, lines);
            (verifyExit, verified, _) = await RunAsync("audit", "verify", "--config", site);
            Assert.Multiple(() =>
            {
                Assert.That(verifyExit, Is.EqualTo(1));
                Assert.That(verified, Does.Contain($"NOT INTACT: line {lines.Length} was changed"));
            });
        }
        finally
        {
            await ServiceUnderTest.KillIfRunningAsync(service);
        }
    }

    [Test]
    [Platform(Exclude = "Win", Reason = "SIGTERM is sent with kill(1); key file modes.")]
    public async Task Over_mutual_tls_the_admitted_hub_gets_counts_and_others_are_refused()
    {
        using var pki = NodeAgent.Testing.TestPki.Create("Federation Test CA");
        var tls = Directory.CreateDirectory(Path.Combine(_folder, "tls")).FullName;
        var (nodeCert, nodeKey) = NodeAgent.Testing.TestPki.WritePem(pki.Server(), tls, "node");
        var (hubCert, hubKey) = NodeAgent.Testing.TestPki.WritePem(pki.Client("CN=hub.federation.test"), tls, "hub");
        var (otherCert, otherKey) = NodeAgent.Testing.TestPki.WritePem(pki.Client("CN=somebody.federation.test"), tls, "other");
        var ca = pki.WriteCaPem(tls, "ca");
        var secret = Path.Combine(tls, "site.secret");
        NodeAgent.Pseudonymisation.Keys.SiteSecret.CreateOrLoad(secret);
        var port = NodeAgent.Testing.Peers.FreeTcpPort.Pick();
        var site = Site(
            FolderSource,
            extra: $$"""
                "SiteSecretFile": "{{Json(secret)}}",
                "Federation": {
                  "Listen": "127.0.0.1:{{port}}",
                  "Tls": { "CertificateFile": "{{Json(nodeCert)}}", "KeyFile": "{{Json(nodeKey)}}", "ClientCaFile": "{{Json(ca)}}" },
                  "Requesters": { "hub": { "Subject": "CN=hub.federation.test", "Roles": [ "count" ] } },
                  "Disclosure": { "Threshold": 1, "Rounding": 1, "Epsilon": 0 } },
                """,
            catalogue: ", \"RefreshInterval\": \"00:00:01\"");
        var (checkExit, check, checkError) = await RunAsync("run", "--config", site, "--check");
        Assert.That(checkExit, Is.Zero, checkError);
        Assert.That(check, Does.Contain("mutual TLS; requesters hub (count)"), "exactly the roles written");
        using var service = ServiceUnderTest.Start(site, out var output);
        try
        {
            string hub = "";
            for (var attempt = 0; attempt < 100 && !hub.Contains("\"instances\":4", StringComparison.Ordinal); attempt++)
            {
                await Task.Delay(200);
                (_, hub, _) = await RunAsync("hub", "count", "--node", $"https://127.0.0.1:{port}", "--cert", hubCert, "--key", hubKey, "--ca", ca, "--format", "json");
            }

            Assert.That(hub, Does.Contain("\"patients\":2,\"studies\":2,\"series\":2,\"instances\":4"), hub + output);
            var (exit, refused, _) = await RunAsync("hub", "count", "--node", $"https://127.0.0.1:{port}", "--cert", otherCert, "--key", otherKey, "--ca", ca);
            Assert.Multiple(() =>
            {
                Assert.That(exit, Is.EqualTo(3), "a node did not answer");
                Assert.That(refused, Does.Contain("PermissionDenied"));
            });
            var (plainExit, plain, _) = await RunAsync("hub", "count", "--node", $"http://127.0.0.1:{port}", "--deadline-ms", "3000");
            Assert.That(plainExit, Is.EqualTo(3), plain);
        }
        finally
        {
            await ServiceUnderTest.KillIfRunningAsync(service);
        }
    }

    [Test]
    [Platform(Exclude = "Win", Reason = "Process handling as in the other service tests.")]
    public async Task In_outbound_mode_the_node_dials_the_hub_and_answers_down_the_tunnel_with_no_inbound_port()
    {
        var hubPort = NodeAgent.Testing.Peers.FreeTcpPort.Pick();
        var site = Site(
            FolderSource,
            extra: $$"""
                "Development": true,
                "Federation": { "Listen": "", "SiteId": "outbound-site", "SearchEnabled": true, "Tunnel": { "HubUrl": "http://127.0.0.1:{{hubPort}}", "Roles": [ "count", "facets", "search" ], "Heartbeat": "00:00:01" },
                                "Disclosure": { "Threshold": 1, "Rounding": 1, "Epsilon": 0 } },
                """,
            catalogue: ", \"RefreshInterval\": \"00:00:01\"");
        var (checkExit, check, checkError) = await RunAsync("run", "--config", site, "--check");
        Assert.That(checkExit, Is.Zero, checkError);
        Assert.That(check, Does.Contain($"federation: no inbound endpoint; tunnel to http://127.0.0.1:{hubPort}/ for hub (count, facets, search)"));
        using var service = ServiceUnderTest.Start(site, out var output);
        try
        {
            string hub = "", hubError = "";
            for (var attempt = 0; attempt < 20 && !hub.Contains("\"instances\":4", StringComparison.Ordinal); attempt++)
            {
                if (attempt > 0)
                {
                    await Task.Delay(500); // the engine's first build, or the port still held by the last attempt
                }

                (_, hub, hubError) = await RunAsync("hub", "count", "--tunnel-listen", hubPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--tunnel-nodes", "1", "--tunnel-wait-ms", "10000", "--format", "json");
            }

            Assert.That(hub, Does.Contain("\"node\":\"tunnel://outbound-site/\"").And.Contain("\"patients\":2,\"studies\":2,\"series\":2,\"instances\":4"), hub + hubError + output);

            // Every hub command reaches tunnelled nodes: histograms and study descriptors too.
            string[] tunnel = ["--tunnel-listen", hubPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--tunnel-nodes", "1", "--tunnel-wait-ms", "10000", "--format", "json"];
            var (facetsExit, facets, facetsError) = await RunAsync(["hub", "facets", "--by", "sex", "--level", "series", .. tunnel]);
            var (searchExit, search, searchError) = await RunAsync(["hub", "search", .. tunnel]);
            Assert.Multiple(() =>
            {
                Assert.That(facetsExit, Is.Zero, facets + facetsError);
                Assert.That(facets, Does.Contain("\"field\":\"sex\"").And.Contain("\"level\":\"series\"").And.Contain("\"ok\":true"), facets);
                Assert.That(searchExit, Is.Zero, search + searchError);
                Assert.That(search, Does.Contain("\"studyKey\":").And.Contain("\"truncated\":false"), search);
            });
        }
        finally
        {
            await ServiceUnderTest.KillIfRunningAsync(service);
        }
    }

    [Test]
    [Platform(Exclude = "Win", Reason = "Process handling as in the other service tests.")]
    public async Task Telemetry_reports_calls_syncs_and_the_catalogue_and_no_planted_identifier_reaches_it()
    {
        var corpus = NodeAgent.Testing.SyntheticCorpus.Get("--patients", "8", "--studies", "1-2", "--series", "1-2", "--instances", "1-2", "--size", "tiny", "--seed", "31");
        var grpcPort = NodeAgent.Testing.Peers.FreeTcpPort.Pick();
        var metricsPort = NodeAgent.Testing.Peers.FreeTcpPort.Pick();
        var site = Site(
            "\"corpus\": { \"Kind\": \"folder\", \"Path\": \"" + Json(corpus.Directory) + "\" }",
            extra: $$"""
                "Development": true,
                "Federation": { "Listen": "127.0.0.1:{{grpcPort}}", "Disclosure": { "Threshold": 1, "Rounding": 1, "Epsilon": 0 } },
                "Telemetry": { "PrometheusListen": "127.0.0.1:{{metricsPort}}", "Console": true },
                """,
            catalogue: ", \"RefreshInterval\": \"00:00:01\"");
        using var service = ServiceUnderTest.Start(site, out var output);
        string metrics;
        try
        {
            await CountAnsweredAsync(grpcPort, output);
            await RunAsync("hub", "facets", "--node", $"http://127.0.0.1:{grpcPort}", "--by", "no-such-field"); // a refusal
            using var http = new System.Net.Http.HttpClient();
            metrics = "";
            for (var attempt = 0; attempt < 20 && !metrics.Contains("nodeagent_federation_requests", StringComparison.Ordinal); attempt++)
            {
                await Task.Delay(500);
                metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{metricsPort}/metrics"));
            }
        }
        finally
        {
            service.Kill(entireProcessTree: false);
            await service.WaitForExitAsync();
        }

        Assert.Multiple(() =>
        {
            Assert.That(metrics, Does.Contain("nodeagent_federation_requests_total{").And.Contain("method=\"Count\"").And.Contain("outcome=\"refused: InvalidArgument\""));
            Assert.That(metrics, Does.Match("nodeagent_catalogue_series\\{[^}]*\\} [0-9]+"), "present (rounded to 100: 0 for this small corpus)");
            Assert.That(metrics, Does.Contain("nodeagent_sync_runs_total{").And.Contain("source=\"corpus\""));
            Assert.That(metrics, Does.Contain("nodeagent_sync_lag_seconds{"));
            Assert.That(output.ToString(), Does.Contain("sync full").And.Contain("/nodeagent.federation.v1.NodeFederation/Count"), "traces on the console");
        });

        // Every identifier the generator planted (names, IDs, UIDs, dates, addresses...), in any telemetry.
        var planted = PlantedIdentifiers.Of(corpus.ManifestPath);
        var telemetry = metrics + output;
        var leaked = planted.Where(v => telemetry.Contains(v, StringComparison.Ordinal)).ToList();
        Assert.That(planted, Has.Count.GreaterThan(20), "the corpus planted identifiers to look for");
        Assert.That(leaked, Is.Empty, $"{leaked.Count} planted identifiers reached logs, traces or metrics");
    }

    [Test]
    [Platform(Exclude = "Win", Reason = "Process handling as in the other service tests.")]
    public async Task Readyz_turns_503_naming_a_source_that_failed_three_syncs_in_a_row_while_healthz_stays_200()
    {
        // A source that failed three times just now: its next try is minutes away (doubling back-off).
        var cataloguePath = Path.Combine(_folder, "data", "catalogue.db");
        using (var catalogue = NodeAgent.Index.Catalogue.SiteCatalogue.Open(cataloguePath))
        {
            catalogue.SaveSource(new NodeAgent.Index.Catalogue.SourceState { Id = "export", Kind = "folder", ConsecutiveFailures = 3, LastSyncStarted = DateTime.UtcNow, LastError = "IOException: the share is gone" });
        }

        var healthPort = NodeAgent.Testing.Peers.FreeTcpPort.Pick();
        var site = Site(FolderSource, extra: "\"Development\": true, \"Federation\": { \"Enabled\": false },", health: $"127.0.0.1:{healthPort}");
        using var service = ServiceUnderTest.Start(site, out var output);
        try
        {
            using var http = new HttpClient();
            HttpResponseMessage? ready = null;
            for (var attempt = 0; attempt < 40 && ready is null; attempt++)
            {
                await Task.Delay(250);
                try
                {
                    ready = await http.GetAsync(new Uri($"http://127.0.0.1:{healthPort}/readyz"));
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }
            }

            Assert.That(ready, Is.Not.Null, output.ToString());
            var alive = await http.GetAsync(new Uri($"http://127.0.0.1:{healthPort}/healthz"));
            var body = await ready!.Content.ReadAsStringAsync();
            Assert.Multiple(() =>
            {
                Assert.That(ready.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.ServiceUnavailable));
                Assert.That(body, Does.Contain("\"ready\":false").And.Contain("source export: 3 syncs failed in a row"));
                Assert.That(body, Does.Not.Contain("share is gone"), "reasons name sources, not their errors");
                Assert.That(alive.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK), "alive all the same");
            });
        }
        finally
        {
            await ServiceUnderTest.KillIfRunningAsync(service);
        }
    }

    [Test]
    [Platform(Exclude = "Win", Reason = "DCMTK and process handling as in the other service tests.")]
    public async Task A_store_source_receives_what_dcmtk_pushes_indexes_it_on_arrival_and_the_hub_counts_it()
    {
        var grpcPort = NodeAgent.Testing.Peers.FreeTcpPort.Pick();
        var storePort = NodeAgent.Testing.Peers.FreeTcpPort.Pick();
        var received = Path.Combine(_folder, "received");
        var site = Site(
            $$"""
            "modalities": { "Kind": "store", "Path": "{{Json(received)}}", "Port": {{storePort}}, "AeTitle": "NODESTORE" }
            """,
            extra: $$"""
                "Development": true,
                "Federation": { "Listen": "127.0.0.1:{{grpcPort}}", "Disclosure": { "Threshold": 1, "Rounding": 1, "Epsilon": 0 } },
                """,
            catalogue: ", \"RefreshInterval\": \"00:00:01\"");
        var (checkExit, check, checkError) = await RunAsync("run", "--config", site, "--check");
        Assert.That(checkExit, Is.Zero, checkError);
        Assert.That(check, Does.Contain($"modalities (store: C-STORE to NODESTORE on 127.0.0.1:{storePort}"));
        using var service = ServiceUnderTest.Start(site, out var output);
        try
        {
            NodeAgent.Testing.ProcessResult? echo = null;
            for (var attempt = 0; attempt < 40 && echo?.ExitCode != 0; attempt++)
            {
                await Task.Delay(250);
                echo = NodeAgent.Testing.Peers.DcmtkTool.EchoScu("127.0.0.1", storePort, "NODESTORE");
            }

            Assert.That(echo!.ExitCode, Is.Zero, echo.StandardError + output);
            var stored = NodeAgent.Testing.Peers.DcmtkTool.StoreScu("127.0.0.1", storePort, "NODESTORE", "MODALITY", [Path.Combine(_folder, "export")]);
            Assert.That(stored.ExitCode, Is.Zero, stored.StandardError);
            string hub = "";
            for (var attempt = 0; attempt < 40 && !hub.Contains("\"instances\":4", StringComparison.Ordinal); attempt++)
            {
                await Task.Delay(250);
                (_, hub, _) = await RunAsync("hub", "count", "--node", $"http://127.0.0.1:{grpcPort}", "--format", "json");
            }

            Assert.Multiple(() =>
            {
                Assert.That(Directory.GetFiles(received, "*", SearchOption.AllDirectories), Has.Length.EqualTo(4), "every file written before it was acknowledged");
                Assert.That(hub, Does.Contain("\"patients\":2,\"studies\":2,\"series\":2,\"instances\":4"), hub + output);
            });
        }
        finally
        {
            await ServiceUnderTest.KillIfRunningAsync(service);
        }
    }

    [Test]
    [Platform(Exclude = "Win", Reason = "Process handling as in the other service tests.")]
    public async Task Over_otlp_the_service_sends_traces_metrics_and_log_lines_to_a_collector_and_no_planted_identifier()
    {
        var corpus = NodeAgent.Testing.SyntheticCorpus.Get("--patients", "8", "--studies", "1-2", "--series", "1-2", "--instances", "1-2", "--size", "tiny", "--seed", "32");
        using var collector = new OtlpReceiver();
        var grpcPort = NodeAgent.Testing.Peers.FreeTcpPort.Pick();
        var site = Site(
            "\"corpus\": { \"Kind\": \"folder\", \"Path\": \"" + Json(corpus.Directory) + "\" }",
            extra: $$"""
                "Development": true,
                "Federation": { "Listen": "127.0.0.1:{{grpcPort}}", "Disclosure": { "Threshold": 1, "Rounding": 1, "Epsilon": 0 } },
                "Telemetry": { "OtlpEndpoint": "http://127.0.0.1:{{collector.Port}}", "OtlpProtocol": "http/protobuf" },
                """,
            catalogue: ", \"RefreshInterval\": \"00:00:01\"");

        // The SDK's standard settings, for a test that does not wait a minute for the first export.
        var quick = new Dictionary<string, string> { ["OTEL_BSP_SCHEDULE_DELAY"] = "200", ["OTEL_BLRP_SCHEDULE_DELAY"] = "200", ["OTEL_METRIC_EXPORT_INTERVAL"] = "500" };
        using var service = ServiceUnderTest.Start(site, out var output, quick);
        try
        {
            await CountAnsweredAsync(grpcPort, output);
            for (var attempt = 0; attempt < 60 && !(collector.Text("/v1/traces").Contains("NodeFederation/Count", StringComparison.Ordinal) && collector.Text("/v1/metrics").Contains("nodeagent.federation.requests", StringComparison.Ordinal) && collector.Text("/v1/logs").Length > 0); attempt++)
            {
                await Task.Delay(250);
            }
        }
        finally
        {
            await ServiceUnderTest.KillIfRunningAsync(service);
        }

        var traces = collector.Text("/v1/traces");
        var metrics = collector.Text("/v1/metrics");
        var logs = collector.Text("/v1/logs");
        Assert.Multiple(() =>
        {
            Assert.That(traces, Does.Contain("/nodeagent.federation.v1.NodeFederation/Count").And.Contain("sync full"), "traces of the gRPC call and the sync");
            Assert.That(metrics, Does.Contain("nodeagent.federation.requests").And.Contain("nodeagent.sync.runs"), "the service's metrics");
            Assert.That(logs, Does.Contain("Federation: plain-text gRPC"), "the service's log lines");
        });

        var planted = PlantedIdentifiers.Of(corpus.ManifestPath);
        var leaked = planted.Where(v => (traces + metrics + logs).Contains(v, StringComparison.Ordinal)).ToList();
        Assert.That(planted, Has.Count.GreaterThan(20), "the corpus planted identifiers to look for");
        Assert.That(leaked, Is.Empty, $"{leaked.Count} planted identifiers reached the collector");
    }

    /// <summary>Asks the node for a count until it answers (its engine is built after the first sync), at most 20 s.</summary>
    private static async Task CountAnsweredAsync(int port, StringWriter output)
    {
        string hub = "";
        for (var attempt = 0; attempt < 40 && !hub.Contains("\"ok\":true", StringComparison.Ordinal); attempt++)
        {
            await Task.Delay(500);
            (_, hub, _) = await RunAsync("hub", "count", "--node", $"http://127.0.0.1:{port}", "--modality", "CT,MR", "--format", "json");
        }

        lock (output)
        {
            Assert.That(hub, Does.Contain("\"ok\":true"), hub + output);
        }
    }

    /// <summary>inotify watches the process holds, from <c>/proc/PID/fdinfo</c> (one "inotify wd:" line each).</summary>
    private static int InotifyWatches(int pid) =>
        Directory.GetFiles($"/proc/{pid}/fdinfo").Sum(f =>
        {
            try
            {
                return File.ReadLines(f).Count(l => l.StartsWith("inotify wd:", StringComparison.Ordinal));
            }
            catch (IOException)
            {
                return 0; // the descriptor closed meanwhile
            }
        });

    private static string Json(string path) => path.Replace("\\", "\\\\", StringComparison.Ordinal);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args) => CommandRun.RunAsync(args);
}
