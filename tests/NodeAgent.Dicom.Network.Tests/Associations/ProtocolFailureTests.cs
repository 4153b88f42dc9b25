using System.Buffers.Binary;
using Microsoft.Extensions.Time.Testing;
using NodeAgent.Dicom.Network.Associations;
using Microsoft.Extensions.DependencyInjection;
using NodeAgent.Dicom.Network.Client;
using NodeAgent.Dicom.Network.Dimse;
using NodeAgent.Dicom.Network.Pdus;
using NodeAgent.Dicom.Network.Server;
using NodeAgent.Dicom.Network.Storage;
using NodeAgent.Dicom.Network.Tests.Support;

namespace NodeAgent.Dicom.Network.Tests.Associations;

/// <summary>
/// Failure cases with a scripted peer: rejections, aborts, silence, PDUs in the wrong state or too
/// large. Each ends in a typed error and, where the standard says so, an A-ABORT; time is a fake
/// clock, so timeouts are tested without waiting for them.
/// </summary>
public class ProtocolFailureTests
{
    private static DicomClient Client(int port, TimeProvider? time = null, TimeSpan? dimseTimeout = null) =>
        new(new DicomClientOptions
        {
            Host = "127.0.0.1",
            Port = port,
            CalledAeTitle = "FAKE",
            DimseTimeout = dimseTimeout ?? TimeSpan.FromSeconds(30),
            AssociationTimeout = TimeSpan.FromSeconds(30),
            Resilience = DicomResilienceOptions.Interactive,
        }, new DicomPeerRegistry(time));

    [Test]
    public async Task A_rejected_association_says_who_rejected_and_why()
    {
        await using var peer = ScriptedPeer.Listen();
        var echo = Client(peer.Port).EchoAsync();
        await peer.AcceptAsync();
        await peer.ReadAsync<AssociateRequestPdu>();
        await peer.SendAsync(new AssociateRejectPdu(AssociateRejectResult.Transient, AssociateRejectSource.ServiceProviderPresentation, AssociateRejectPdu.ReasonTemporaryCongestion));

        var ex = await Assert.ThrowsAsync<AssociationRejectedException>(() => echo);

        Assert.That(ex!.Message, Does.Contain("FAKE at 127.0.0.1").And.Contain("congested"));
        Assert.That(ex.IsTransient, Is.True);
    }

    [Test]
    public async Task A_peer_that_aborts_mid_transfer_ends_the_operation_with_its_reason()
    {
        var folder = TestFiles.Folder();
        var file = TestFiles.Write(folder, 1, DicomTransferSyntax.ExplicitVRLittleEndian, pixels: 100_000);
        await using var peer = ScriptedPeer.Listen();
        var store = Client(peer.Port).StoreAsync([file]);
        await peer.AcceptAsync();
        await peer.AcceptAssociationAsync();
        await peer.ReadAsync<DataTransferPdu>();
        await peer.SendAsync(new AbortPdu(AbortSource.ServiceUser, AbortReason.NotSpecified));

        var ex = await Assert.ThrowsAsync<AssociationAbortedException>(() => store);

        Assert.That(ex!.Message, Does.Contain("aborted by the peer application"));
        Assert.That(ex.Abort!.Source, Is.EqualTo(AbortSource.ServiceUser));
    }

    [Test]
    public async Task A_store_cancelled_mid_transfer_aborts_the_association_instead_of_asking_to_release()
    {
        var folder = TestFiles.Folder();
        var file = TestFiles.Write(folder, 1, DicomTransferSyntax.ExplicitVRLittleEndian, pixels: 2_000_000);
        await using var peer = ScriptedPeer.Listen();
        using var cancel = new CancellationTokenSource();
        var store = Client(peer.Port).StoreAsync([file], cancellationToken: cancel.Token);
        await peer.AcceptAsync();
        await peer.AcceptAssociationAsync();
        await peer.ReadAsync<DataTransferPdu>();
        await cancel.CancelAsync();

        // Whatever data was still on its way, the association ends with an A-ABORT: a release request
        // would wait on a peer that is itself waiting for the rest of the data set.
        Pdu? last;
        do
        {
            last = await peer.ReadAsync();
        }
        while (last is DataTransferPdu);

        Assert.That(last, Is.InstanceOf<AbortPdu>());
        Assert.That(async () => await store, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task A_peer_that_stops_reading_gets_its_connection_closed_after_the_timeout()
    {
        var folder = TestFiles.Folder();
        var file = TestFiles.Write(folder, 1, DicomTransferSyntax.ExplicitVRLittleEndian, pixels: 30_000_000);
        await using var peer = ScriptedPeer.Listen();
        var store = Client(peer.Port, dimseTimeout: TimeSpan.FromSeconds(1)).StoreAsync([file]);
        await peer.AcceptAsync();
        await peer.AcceptAssociationAsync();

        // The peer reads nothing more: once the socket buffers are full, no write makes progress.
        var ex = await Assert.ThrowsAsync<TimeoutException>(() => store.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.That(ex!.Message, Does.Contain("stopped reading"));
    }

    [Test]
    public async Task A_message_that_starts_in_the_PDU_ending_the_previous_one_is_still_read()
    {
        await using var server = LoopbackServer.Start();
        await using var client = await ScriptedPeer.ConnectAsync(server.Port);
        await client.SendAsync(new AssociateRequestPdu("NODEAGENT", "PACKER", [new PresentationContextProposal(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian])], new UserInformation()));
        await client.ReadAsync<AssociateAcceptPdu>();

        // Two whole C-ECHO requests in one P-DATA-TF, as a peer packing its PDUs may send them.
        DimseCommand Echo(ushort id) => new(DimseCommandField.CEchoRequest, id, hasDataSet: false) { AffectedSopClassUid = DicomUids.Verification };
        await client.SendAsync(new DataTransferPdu([new PresentationDataValue(1, true, true, Echo(1).Encode()), new PresentationDataValue(1, true, true, Echo(2).Encode())]));

        var answered = new List<ushort>();
        for (var i = 0; i < 2; i++)
        {
            var response = await client.ReadAsync<DataTransferPdu>();
            answered.Add(DimseCommand.Decode(response.Values[0].Data).MessageIdBeingRespondedTo);
        }

        Assert.That(answered, Is.EqualTo(new ushort[] { 1, 2 }));
    }

    [Test]
    public async Task An_association_request_of_another_protocol_version_is_rejected_by_the_ACSE()
    {
        await using var server = LoopbackServer.Start();
        await using var client = await ScriptedPeer.ConnectAsync(server.Port);

        await client.SendAsync(new AssociateRequestPdu("NODEAGENT", "FUTURE", [new PresentationContextProposal(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian])], new UserInformation()) { ProtocolVersion = 2 });
        var reject = await client.ReadAsync<AssociateRejectPdu>();

        Assert.That(reject.Source, Is.EqualTo(AssociateRejectSource.ServiceProviderAcse));
        Assert.That(reject.Reason, Is.EqualTo(AssociateRejectPdu.ReasonProtocolVersionNotSupported));
    }

    [Test]
    public async Task A_peer_that_stops_answering_times_out_on_the_injected_clock_and_gets_an_abort()
    {
        var clock = new FakeTimeProvider();
        await using var peer = ScriptedPeer.Listen();
        var echo = Client(peer.Port, clock, TimeSpan.FromSeconds(45)).EchoAsync();
        await peer.AcceptAsync();
        await peer.AcceptAssociationAsync();
        await peer.ReadAsync<DataTransferPdu>();

        // The echo request was received; the peer now says nothing. Move the clock, not the wall clock.
        await AdvanceUntilDoneAsync(clock, echo, TimeSpan.FromSeconds(5));

        var ex = await Assert.ThrowsAsync<TimeoutException>(() => echo);
        Assert.That(ex!.Message, Does.Contain("did not answer within 45 s"));
        Assert.That(await peer.ReadAsync(), Is.InstanceOf<AbortPdu>(), "the silent peer is told");
        Assert.That(await peer.ClosedByOtherSideAsync(TimeSpan.FromSeconds(5)), Is.True, "and the connection is not leaked");
    }

    [Test]
    public async Task A_PDU_in_the_wrong_state_is_answered_with_an_abort()
    {
        await using var peer = ScriptedPeer.Listen();
        var echo = Client(peer.Port).EchoAsync();
        await peer.AcceptAsync();
        await peer.ReadAsync<AssociateRequestPdu>();
        await peer.SendAsync(new DataTransferPdu([new PresentationDataValue(1, true, true, new byte[] { 0 })]));

        var ex = await Assert.ThrowsAsync<AssociationAbortedException>(() => echo);

        Assert.That(ex!.Message, Does.Contain("unexpected DataTransfer PDU"));
        var abort = await peer.ReadAsync<AbortPdu>();
        Assert.That((abort.Source, abort.Reason), Is.EqualTo((AbortSource.ServiceProvider, AbortReason.UnexpectedPdu)));
    }

    [Test]
    public async Task An_oversized_PDU_is_refused_with_an_abort_before_it_is_read()
    {
        await using var peer = ScriptedPeer.Listen();
        var echo = Client(peer.Port).EchoAsync();
        await peer.AcceptAsync();
        await peer.AcceptAssociationAsync();
        await peer.ReadAsync<DataTransferPdu>();
        var header = new byte[6];
        header[0] = 0x04;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(2), 0x7FFFFFFF);
        await peer.SendRawAsync(header);

        var ex = await Assert.ThrowsAsync<AssociationAbortedException>(() => echo);

        Assert.That(ex!.Message, Does.Contain("malformed PDU"));
        Assert.That(await peer.ReadAsync(), Is.InstanceOf<AbortPdu>());
    }

    [Test]
    public async Task A_release_collision_is_resolved_as_the_requestor()
    {
        await using var peer = ScriptedPeer.Listen();
        var echo = Client(peer.Port).EchoAsync();
        await peer.AcceptAsync();
        await peer.AcceptAssociationAsync();
        await peer.ReadAsync<DataTransferPdu>();
        await peer.SendRawAsync(EchoResponse());
        await peer.ReadAsync<ReleaseRequestPdu>();

        // Both sides ask to release (PS3.8 9.2.2): the requestor answers first, then gets the answer.
        await peer.SendAsync(new ReleaseRequestPdu());
        await peer.ReadAsync<ReleaseResponsePdu>();
        await peer.SendAsync(new ReleaseResponsePdu());

        Assert.That(await echo, Is.GreaterThan(TimeSpan.Zero));
    }

    [Test]
    public async Task A_server_aborts_a_client_that_sends_data_before_associating()
    {
        await using var server = LoopbackServer.Start();
        await using var client = await ScriptedPeer.ConnectAsync(server.Port);

        await client.SendAsync(new DataTransferPdu([new PresentationDataValue(1, true, true, new byte[] { 0 })]));

        Assert.That(await client.ReadAsync(), Is.InstanceOf<AbortPdu>());
        Assert.That(await client.ClosedByOtherSideAsync(TimeSpan.FromSeconds(5)), Is.True);
    }

    [Test]
    public async Task A_server_closes_a_connection_that_never_asks_for_an_association()
    {
        var clock = new FakeTimeProvider();
        await using var server = LoopbackServer.Start(options: new DicomServerOptions { AssociationTimeout = TimeSpan.FromSeconds(30) }, timeProvider: clock);
        await using var client = await ScriptedPeer.ConnectAsync(server.Port);
        var closed = client.ClosedByOtherSideAsync(TimeSpan.FromSeconds(20));

        await AdvanceUntilDoneAsync(clock, closed, TimeSpan.FromSeconds(5));

        Assert.That(await closed, Is.True, "the ARTIM timer ended the silent connection");
        Assert.That(server.ActiveAssociations, Is.Zero);
    }

    [Test]
    public async Task A_malformed_association_request_gets_an_abort_from_the_server()
    {
        await using var server = LoopbackServer.Start();
        await using var client = await ScriptedPeer.ConnectAsync(server.Port);

        await client.SendRawAsync([0x01, 0, 0, 0, 0, 8, 0, 1, 0, 0, 65, 65, 65, 65]);

        Assert.That(await client.ReadAsync(), Is.InstanceOf<AbortPdu>());
    }

    [Test]
    public async Task A_client_that_aborts_in_the_middle_of_a_large_data_set_leaves_no_file_and_no_spool()
    {
        var target = TestFiles.Folder();
        var spool = TestFiles.Folder();
        var options = new DicomServerOptions { DatasetMemoryThreshold = 64 * 1024, SpoolDirectory = spool };
        await using var server = LoopbackServer.Start(s => s.AddSingleton<IDicomStoreHandler>(new FolderStoreHandler(target, flushToDisk: false)), options);
        await using var client = await ScriptedPeer.ConnectAsync(server.Port);
        await client.SendAsync(new AssociateRequestPdu("NODEAGENT", "ABORTER", [new PresentationContextProposal(1, DicomUids.CTImageStorage, [DicomUids.ExplicitVRLittleEndian])], new UserInformation()));
        await client.ReadAsync<AssociateAcceptPdu>();

        // A C-STORE whose data set goes well past the memory threshold into the spool file, then an abort.
        var command = new DimseCommand(DimseCommandField.CStoreRequest, 1, hasDataSet: true) { AffectedSopClassUid = DicomUids.CTImageStorage, AffectedSopInstanceUid = "1.2.826.0.1.3680043.8.498.77" };
        await client.SendAsync(new DataTransferPdu([new PresentationDataValue(1, true, true, command.Encode())]));
        var fragment = new byte[16 * 1024];
        for (var i = 0; i < 20; i++)
        {
            await client.SendAsync(new DataTransferPdu([new PresentationDataValue(1, false, false, fragment)]));
        }

        var linux = OperatingSystem.IsLinux();
        if (linux)
        {
            Assert.That(await EventuallyAsync(() => OpenSpoolFiles() > 0), Is.True, "the data set is being spooled to a file");
        }

        await client.SendAsync(new AbortPdu(AbortSource.ServiceUser, AbortReason.NotSpecified));
        await EventuallyAsync(() => server.ActiveAssociations == 0);

        Assert.That(server.ActiveAssociations, Is.Zero);
        Assert.That(Directory.GetFiles(target, "*", SearchOption.AllDirectories), Is.Empty, "nothing half-received is kept, not even a .partial file");
        Assert.That(Directory.GetFiles(spool), Is.Empty);
        if (linux)
        {
            Assert.That(OpenSpoolFiles(), Is.Zero, "the spool file is closed, so the system has freed it");
        }
    }

    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        return condition();
    }

    /// <summary>Spool files (unlinked at once, so visible only through /proc) that this process holds open.</summary>
    private static int OpenSpoolFiles()
    {
        var open = 0;
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget?.Contains("nodeagent-dimse", StringComparison.Ordinal) == true)
                {
                    open++;
                }
            }
            catch (IOException)
            {
                // Closed while we looked.
            }
        }

        return open;
    }

    /// <summary>Moves the fake clock in steps until the task ends, yielding to the sockets between steps.</summary>
    private static async Task AdvanceUntilDoneAsync(FakeTimeProvider clock, Task task, TimeSpan step)
    {
        for (var i = 0; i < 200 && !task.IsCompleted; i++)
        {
            clock.Advance(step);
            await Task.WhenAny(task, Task.Delay(20));
        }
    }

    /// <summary>A C-ECHO-RSP to message 1 on context 1, as a P-DATA-TF.</summary>
    private static byte[] EchoResponse()
    {
        var command = new DimseCommand(DimseCommandField.CEchoResponse, 1, hasDataSet: false) { AffectedSopClassUid = DicomUids.Verification };
        return PduCodec.Encode(new DataTransferPdu([new PresentationDataValue(1, true, true, command.Encode())]));
    }
}
