using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using NodeAgent.Dicom.Network.Associations;
using NodeAgent.Dicom.Network.Client;
using NodeAgent.Dicom.Network.Dimse;
using NodeAgent.Dicom.Network.Pdus;
using NodeAgent.Dicom.Network.Query;
using NodeAgent.Dicom.Network.Server;
using NodeAgent.Dicom.Network.Storage;
using NodeAgent.Dicom.Network.Tests.Support;
using NodeAgent.Testing;

namespace NodeAgent.Dicom.Network.Tests.Associations;

/// <summary>Our client against our server over loopback sockets: every service, the refusals, the limits.</summary>
public class ClientServerTests
{
    private static DicomClient Client(int port, string calledAe = "NODEAGENT", string callingAe = "TESTSCU", uint maxPdu = 256 * 1024) =>
        new(new DicomClientOptions
        {
            Host = "127.0.0.1",
            Port = port,
            CalledAeTitle = calledAe,
            CallingAeTitle = callingAe,
            MaxPduLength = maxPdu,
            Resilience = DicomResilienceOptions.Interactive,
        }, new DicomPeerRegistry());

    [Test]
    public async Task Echo_succeeds()
    {
        await using var server = LoopbackServer.Start();

        var elapsed = await Client(server.Port).EchoAsync();

        Assert.That(elapsed, Is.GreaterThan(TimeSpan.Zero));
    }

    [Test]
    public async Task The_server_prefers_explicit_then_implicit_little_endian_over_the_proposers_order()
    {
        await using var server = LoopbackServer.Start(s => s.AddSingleton<IDicomStoreHandler>(new CollectingStoreHandler()));
        await using var peer = await ScriptedPeer.ConnectAsync(server.Port);
        string[] lossyFirst = [DicomUids.JPEGBaseline8Bit, DicomUids.ImplicitVRLittleEndian, DicomUids.ExplicitVRLittleEndian];
        string[] implicitLast = [DicomUids.JPEG2000, DicomUids.ExplicitVRBigEndian, DicomUids.ImplicitVRLittleEndian];
        string[] compressedOnly = [DicomUids.RLELossless, DicomUids.JPEG2000];

        await peer.SendAsync(new AssociateRequestPdu("NODEAGENT", "PROPOSER",
            [
                new PresentationContextProposal(1, DicomUids.CTImageStorage, lossyFirst),
                new PresentationContextProposal(3, DicomUids.MRImageStorage, implicitLast),
                new PresentationContextProposal(5, DicomUids.SecondaryCaptureImageStorage, compressedOnly),
            ],
            new UserInformation()));
        var accept = await peer.ReadAsync<AssociateAcceptPdu>();

        var chosen = accept.PresentationContexts.ToDictionary(c => c.Id, c => c.TransferSyntax);
        Assert.That(chosen[1], Is.EqualTo(DicomUids.ExplicitVRLittleEndian));
        Assert.That(chosen[3], Is.EqualTo(DicomUids.ImplicitVRLittleEndian));
        Assert.That(chosen[5], Is.EqualTo(DicomUids.RLELossless), "among compressed syntaxes the proposer's order stands");
    }

    [TestCase(DicomUids.ExplicitVRLittleEndian)]
    [TestCase(DicomUids.ImplicitVRLittleEndian)]
    [TestCase(DicomUids.ExplicitVRBigEndian)]
    [TestCase(DicomUids.DeflatedExplicitVRLittleEndian)]
    public async Task Stored_files_arrive_with_equal_datasets_over_one_association(string syntax)
    {
        var folder = TestFiles.Folder();
        var files = Enumerable.Range(1, 12).Select(i => TestFiles.Write(folder, i, DicomTransferSyntax.FromUid(syntax), pixels: 20_000)).ToList();
        var handler = new CollectingStoreHandler();
        // The server prefers the file's own syntax here, so each one crosses the wire as it is.
        await using var server = LoopbackServer.Start(s => s.AddSingleton<IDicomStoreHandler>(handler), new DicomServerOptions { PreferredTransferSyntaxes = [syntax] });

        // A small PDU size forces every data set across many P-DATA-TF PDUs.
        var result = await Client(server.Port, maxPdu: 4096).StoreAsync(files);

        Assert.That(result.Succeeded, Is.EqualTo(12));
        Assert.That(handler.Received, Has.Count.EqualTo(12));
        foreach (var (request, dataset) in handler.Received)
        {
            Assert.That(request.Dataset.TransferSyntax.Uid, Is.EqualTo(syntax));
            var index = int.Parse(request.SopInstanceUid.Split('.')[^1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.That(DicomDatasetDiff.Compare(TestFiles.Instance(index, 20_000), dataset), Is.Empty);
        }
    }

    [Test]
    public async Task Files_received_by_the_folder_handler_are_complete_part_10_files()
    {
        var source = TestFiles.Folder();
        var target = TestFiles.Folder();
        var files = Enumerable.Range(1, 3).Select(i => TestFiles.Write(source, i, DicomTransferSyntax.ExplicitVRLittleEndian, pixels: 3_000_000)).ToList();
        await using var server = LoopbackServer.Start(s => s.AddSingleton<IDicomStoreHandler>(new FolderStoreHandler(target, flushToDisk: false)), new DicomServerOptions { DatasetMemoryThreshold = 1 << 20 });

        var result = await Client(server.Port).StoreAsync(files);

        Assert.That(result.Succeeded, Is.EqualTo(3));
        var written = Directory.GetFiles(target);
        Assert.That(written.Select(Path.GetFileName), Is.EquivalentTo(Enumerable.Range(1, 3).Select(i => $"1.2.826.0.1.3680043.8.498.7.{i}.dcm")));
        foreach (var path in written)
        {
            using var file = DicomFile.Open(path);
            Assert.That(file.FileMetaInformation.GetString(DicomTags.MediaStorageSOPInstanceUID), Is.EqualTo(file.Dataset.GetString(DicomTags.SOPInstanceUID)));
            Assert.That(file.Dataset.GetElement(DicomTags.PixelData)!.Length, Is.EqualTo(6_000_000));
        }
    }

    [Test]
    public async Task Find_streams_the_handler_matches_in_order()
    {
        var handler = new CountingFindHandler(5);
        await using var server = LoopbackServer.Start(s => s.AddSingleton<IDicomFindHandler>(handler));
        var summary = new DicomFindSummary();

        var matches = new List<string?>();
        await foreach (var match in Client(server.Port).FindAsync(DicomQuery.Create(DicomQueryLevel.Study).Match(DicomTags.PatientName, "Müller*"), summary))
        {
            matches.Add(match.GetString(DicomTags.StudyInstanceUID));
        }

        Assert.That(matches, Is.EqualTo(Enumerable.Range(0, 5).Select(i => $"1.2.3.{i}")));
        Assert.That(summary.IsTruncated, Is.False);
        Assert.That(summary.Matches, Is.EqualTo(5));
        Assert.That(handler.LastRequest!.Identifier.GetString(DicomTags.PatientName), Is.EqualTo("Müller*"), "non-ASCII query sent in UTF-8 and decoded");
        Assert.That(handler.LastRequest.Level, Is.EqualTo(DicomQueryLevel.Study));
    }

    [Test]
    public async Task A_session_runs_many_queries_and_an_echo_on_one_association()
    {
        var handler = new CountingFindHandler(2);
        await using var server = LoopbackServer.Start(s => s.AddSingleton<IDicomFindHandler>(handler));
        var client = Client(server.Port);

        await using (var session = await client.OpenSessionAsync())
        {
            for (var i = 0; i < 5; i++)
            {
                var found = 0;
                await foreach (var _ in session.FindAsync(DicomQuery.Create(i % 2 == 0 ? DicomQueryLevel.Study : DicomQueryLevel.Patient, i % 2 == 0 ? DicomQueryModel.StudyRoot : DicomQueryModel.PatientRoot)))
                {
                    found++;
                }

                Assert.That(found, Is.EqualTo(2));
                Assert.That(server.ActiveAssociations, Is.EqualTo(1), "the association stays open between queries");
            }

            Assert.That(await session.EchoAsync(), Is.GreaterThan(TimeSpan.Zero));
        }

        Assert.That(handler.LastRequest!.Model, Is.EqualTo(DicomQueryModel.StudyRoot));
    }

    [Test]
    public async Task Stopping_a_find_early_sends_a_cancel_that_stops_the_handler()
    {
        var handler = new CountingFindHandler(int.MaxValue, TimeSpan.FromMilliseconds(20));
        await using var server = LoopbackServer.Start(s => s.AddSingleton<IDicomFindHandler>(handler));

        var seen = 0;
        var summary = new DicomFindSummary();
        await foreach (var _ in Client(server.Port).FindAsync(DicomQuery.Create(DicomQueryLevel.Study), summary))
        {
            if (++seen == 3)
            {
                break;
            }
        }

        Assert.That(await handler.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(handler.Produced, Is.LessThan(1000));
        Assert.That(summary.Status, Is.EqualTo(DimseStatus.Cancel), "the server confirmed the cancel of this find");
        Assert.That(summary.IsTruncated, Is.True);
    }

    [Test]
    public async Task A_find_longer_than_the_idle_timeout_is_not_cut_off_while_it_sends()
    {
        // The requestor is silent while matches stream; only silence after the final response is idleness.
        // 3.2 s of matches against a 2 s idle timeout: the find outlasts it by far, and a send stalled
        // by a loaded machine (the timeout also bounds each write) still has seconds of margin.
        var handler = new CountingFindHandler(8, TimeSpan.FromMilliseconds(400));
        await using var server = LoopbackServer.Start(s => s.AddSingleton<IDicomFindHandler>(handler), new DicomServerOptions { IdleTimeout = TimeSpan.FromSeconds(2) });
        var summary = new DicomFindSummary();

        var matches = 0;
        await foreach (var _ in Client(server.Port).FindAsync(DicomQuery.Create(DicomQueryLevel.Study), summary))
        {
            matches++;
        }

        Assert.That(matches, Is.EqualTo(8));
        Assert.That(summary.Status, Is.EqualTo(DimseStatus.Success));
    }

    [TestCase("FOO")]
    [TestCase("")]
    [TestCase("PATIENT")]
    public async Task A_find_with_a_level_that_does_not_fit_the_model_gets_a_failure_status(string level)
    {
        var handler = new CountingFindHandler(3);
        await using var server = LoopbackServer.Start(s => s.AddSingleton<IDicomFindHandler>(handler));
        var query = DicomQuery.Create(DicomQueryLevel.Study);
        query.Identifier.AddOrUpdate(DicomTags.QueryRetrieveLevel, DicomVR.CS, level);

        var ex = await Assert.ThrowsAsync<DimseStatusException>(async () =>
        {
            await foreach (var _ in Client(server.Port).FindAsync(query))
            {
            }
        });

        Assert.That(ex!.Status, Is.EqualTo(DimseStatus.IdentifierDoesNotMatchSopClass));
        Assert.That(handler.LastRequest, Is.Null, "the handler never sees a malformed query");
    }

    [Test]
    public async Task A_store_handler_that_throws_gets_a_failure_status_and_the_association_goes_on()
    {
        var folder = TestFiles.Folder();
        var files = Enumerable.Range(1, 3).Select(i => TestFiles.Write(folder, i, DicomTransferSyntax.ExplicitVRLittleEndian)).ToList();
        var handler = new FailingOnceStoreHandler();
        var log = new ServerEventLog();
        await using var server = LoopbackServer.Start(s => s.AddSingleton<IDicomStoreHandler>(handler), logger: log);

        var result = await Client(server.Port).StoreAsync(files);

        Assert.That(result.Succeeded, Is.EqualTo(2));
        Assert.That(result.Outcomes.Single(o => !o.Succeeded).Status, Is.EqualTo(DimseStatus.UnableToProcess));
        Assert.That(handler.Calls, Is.EqualTo(3), "one association carried all three");
        Assert.That(log.Text, Does.Contain("InvalidOperationException").And.Not.Contain(FailingOnceStoreHandler.Secret), "the exception's message, which may name a patient, is not logged");
    }

    [Test]
    public async Task An_unknown_calling_AE_title_is_rejected_with_the_reason_in_words()
    {
        await using var server = LoopbackServer.Start(options: new DicomServerOptions { AllowedCallingAeTitles = new HashSet<string> { "PACS" } });

        var ex = await Assert.ThrowsAsync<AssociationRejectedException>(() => Client(server.Port).EchoAsync());

        Assert.That(ex!.IsTransient, Is.False);
        Assert.That(ex.Message, Does.Contain("calling AE title is not known"));
    }

    [Test]
    public async Task A_wrong_called_AE_title_is_rejected()
    {
        await using var server = LoopbackServer.Start();

        var ex = await Assert.ThrowsAsync<AssociationRejectedException>(() => Client(server.Port, calledAe: "SOMEONEELSE").EchoAsync());

        Assert.That(ex!.Message, Does.Contain("called AE title is not the peer's"));
    }

    [Test]
    public async Task Associations_over_the_limit_are_rejected_as_transient()
    {
        var handler = new CountingFindHandler(int.MaxValue, TimeSpan.FromMilliseconds(50));
        await using var server = LoopbackServer.Start(s => s.AddSingleton<IDicomFindHandler>(handler), new DicomServerOptions { MaxAssociations = 1 });
        await using var first = Client(server.Port).FindAsync(DicomQuery.Create(DicomQueryLevel.Study)).GetAsyncEnumerator();
        Assert.That(await first.MoveNextAsync(), Is.True, "the first association is busy");

        var ex = await Assert.ThrowsAsync<AssociationRejectedException>(() => Client(server.Port).EchoAsync());

        Assert.That(ex!.IsTransient, Is.True);
    }

    [Test]
    public async Task A_storage_class_without_a_store_handler_is_not_accepted()
    {
        var folder = TestFiles.Folder();
        await using var server = LoopbackServer.Start();

        var result = await Client(server.Port).StoreAsync([TestFiles.Write(folder, 1, DicomTransferSyntax.ExplicitVRLittleEndian)]);

        Assert.That(result.Failed, Is.EqualTo(1));
        Assert.That(result.Outcomes[0].Problem, Does.Contain("does not accept"));
    }

    /// <summary>Yields study matches 1.2.3.N, slowly if asked, and records the request and a cancellation.</summary>
    private sealed class FailingOnceStoreHandler : IDicomStoreHandler
    {
        public const string Secret = "Doe^Jane 1957";

        public int Calls { get; private set; }

        public ValueTask<ushort> StoreAsync(DicomStoreRequest request, CancellationToken cancellationToken) =>
            ++Calls == 1 ? throw new InvalidOperationException($"database refused {Secret}") : ValueTask.FromResult(DimseStatus.Success);
    }

    private sealed class CountingFindHandler(int count, TimeSpan delay = default) : IDicomFindHandler
    {
        public DicomFindRequest? LastRequest { get; private set; }

        public int Produced { get; private set; }

        public TaskCompletionSource<bool> Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async IAsyncEnumerable<DicomDataset> FindAsync(DicomFindRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            LastRequest = request;
            using var registration = cancellationToken.Register(() => Cancelled.TrySetResult(true));
            for (var i = 0; i < count; i++)
            {
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, cancellationToken);
                }

                Produced++;
                yield return new DicomDataset().AddOrUpdate(DicomTags.StudyInstanceUID, DicomVR.UI, $"1.2.3.{i}");
            }
        }
    }
}
