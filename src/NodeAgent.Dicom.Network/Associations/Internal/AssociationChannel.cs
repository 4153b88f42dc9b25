using NodeAgent.Dicom.Network.Dimse;
using NodeAgent.Dicom.Network.Pdus;

namespace NodeAgent.Dicom.Network.Associations.Internal;

/// <summary>
/// One association over one connection: the PDU exchange of PS3.8 with its state machine, and DIMSE
/// messages on top (commands and data sets cut into and reassembled from P-DATA-TF). A PDU that is
/// not valid in the current state gets an A-ABORT and an <see cref="AssociationAbortedException"/>.
/// Writes are serialised, so a C-CANCEL can be sent while responses are read.
/// </summary>
internal sealed class AssociationChannel : IAsyncDisposable
{
    private const int MaxCommandLength = 64 * 1024;
    private readonly Stream _stream;
    private readonly PduReader _reader;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Dictionary<byte, NegotiatedContext> _contexts = [];
    private readonly AssociationSettings _settings;

    // PDVs of a P-DATA-TF that came after the end of the message just returned: the start of the next one.
    private readonly Queue<PresentationDataValue> _leftover = new();

    private AssociationChannel(Stream stream, AssociationSettings settings, bool isRequestor, string peer)
    {
        _stream = stream;
        _settings = settings;
        _reader = new PduReader(stream, settings.MaxPduLength);
        IsRequestor = isRequestor;
        Peer = peer;
    }

    public AssociationState State { get; private set; }

    public bool IsRequestor { get; }

    /// <summary>Who is at the other end, for messages: "ORTHANC at 127.0.0.1:4242".</summary>
    public string Peer { get; }

    public uint PeerMaxPduLength { get; private set; }

    public AssociateRequestPdu? Request { get; private set; }

    public AssociateAcceptPdu? Accept { get; private set; }

    public IReadOnlyCollection<NegotiatedContext> Contexts => _contexts.Values;

    public long BytesReceived => _reader.BytesRead;

    /// <summary>Sends an A-ASSOCIATE-RQ and waits for the answer (the ARTIM timer bounds the wait).</summary>
    public static async Task<AssociationChannel> RequestAsync(Stream stream, AssociateRequestPdu request, AssociationSettings settings, string peer, CancellationToken cancellationToken)
    {
        var channel = new AssociationChannel(stream, settings, isRequestor: true, peer) { Request = request };
        try
        {
            await channel.SendPduAsync(request, cancellationToken).ConfigureAwait(false);
            channel.State = AssociationState.AwaitingAssociateResponse;
            var answer = await channel.ReadPduAsync(settings.AssociationTimeout, "the answer to our association request", cancellationToken).ConfigureAwait(false);
            switch (answer)
            {
                case AssociateAcceptPdu accept:
                    channel.OnAccepted(request, accept);
                    return channel;
                case AssociateRejectPdu reject:
                    channel.State = AssociationState.Idle;
                    throw new AssociationRejectedException(peer, reject);
                case null:
                    channel.State = AssociationState.Idle;
                    throw new DicomNetworkException($"{peer} closed the connection without answering our association request (does it expect TLS, or is this not its DICOM port?).");
                default:
                    throw await channel.UnexpectedAsync(answer, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Acceptor side: waits for the A-ASSOCIATE-RQ on a new connection (ARTIM timer).</summary>
    public static async Task<AssociationChannel> ReceiveRequestAsync(Stream stream, AssociationSettings settings, string peer, CancellationToken cancellationToken)
    {
        var channel = new AssociationChannel(stream, settings, isRequestor: false, peer) { State = AssociationState.AwaitingAssociateRequest };
        try
        {
            var pdu = await channel.ReadPduAsync(settings.AssociationTimeout, "an association request", cancellationToken).ConfigureAwait(false);
            if (pdu is null)
            {
                // A port probe or health check: connected, then closed without a word.
                throw new DicomNetworkException($"{peer} closed the connection without asking for an association.");
            }

            if (pdu is not AssociateRequestPdu request)
            {
                throw await channel.UnexpectedAsync(pdu, cancellationToken).ConfigureAwait(false);
            }

            channel.Request = request;
            return channel;
        }
        catch
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Acceptor side: accepts the received request with these results.</summary>
    public async Task AcceptAsync(AssociateAcceptPdu accept, CancellationToken cancellationToken)
    {
        await SendPduAsync(accept, cancellationToken).ConfigureAwait(false);
        OnAccepted(Request!, accept);
    }

    /// <summary>Acceptor side: rejects the received request and closes.</summary>
    public async Task RejectAsync(AssociateRejectPdu reject, CancellationToken cancellationToken)
    {
        await SendPduAsync(reject, cancellationToken).ConfigureAwait(false);
        State = AssociationState.AwaitingClose;
    }

    public NegotiatedContext? Context(byte id) => _contexts.GetValueOrDefault(id);

    /// <summary>The accepted context for an abstract syntax, preferring one of the given transfer syntaxes.</summary>
    public NegotiatedContext? FindContext(string abstractSyntax, DicomTransferSyntax? preferred = null) =>
        _contexts.Values.Where(c => c.AbstractSyntax == abstractSyntax)
            .OrderByDescending(c => preferred is not null && c.TransferSyntax.Equals(preferred))
            .FirstOrDefault();

    /// <summary>
    /// Sends a command and, if given, its data set, fragmented to the peer's maximum PDU length. A
    /// peer that stops reading for <see cref="AssociationSettings.WriteTimeout"/> (restarted at each
    /// PDU) gets its connection closed and the send a <see cref="TimeoutException"/>.
    /// </summary>
    public async Task SendMessageAsync(byte contextId, DimseCommand command, DatasetSource? dataset, CancellationToken cancellationToken)
    {
        EnsureState(AssociationState.Established, "send a DIMSE message");
        var context = _contexts[contextId];
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);

        // Cancellation takes effect between PDUs only: a PDU cut short would leave the peer reading
        // our next bytes (an A-ABORT, say) as the rest of it. Only the write timeout interrupts a PDU,
        // and then the connection is closed.
        using var inactivity = new InactivityTimer(_settings.WriteTimeout, _settings.TimeProvider, CancellationToken.None);
        try
        {
            Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> send = (pdu, _) =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                inactivity.Restart();
                return _stream.WriteAsync(pdu, inactivity.Token);
            };

            using (var commandStream = new PDataStream(send, contextId, isCommand: true, PeerMaxPduLength))
            {
                await commandStream.WriteAsync(command.Encode(), cancellationToken).ConfigureAwait(false);
                await commandStream.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }

            if (dataset is not null)
            {
                using var dataStream = new PDataStream(send, contextId, isCommand: false, PeerMaxPduLength);
                await dataset.WriteAsync(dataStream, context.TransferSyntax, cancellationToken).ConfigureAwait(false);
                await dataStream.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }

            inactivity.Restart();
            await _stream.FlushAsync(inactivity.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (inactivity.Fired)
        {
            throw StoppedReading(inactivity.Timeout);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Receives the next DIMSE message. Returns null when the peer asked to release the association
    /// (which is then answered and closed) or closed the connection between messages.
    /// </summary>
    public async Task<DimseMessage?> ReceiveMessageAsync(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        using var inactivity = timeout is { } t ? new InactivityTimer(t, _settings.TimeProvider, cancellationToken) : null;
        return await ReceiveMessageAsync(inactivity, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// As <see cref="ReceiveMessageAsync(TimeSpan?, CancellationToken)"/>, with a timer the caller
    /// owns and may restart meanwhile (a find that keeps sending while this read waits).
    /// </summary>
    public async Task<DimseMessage?> ReceiveMessageAsync(InactivityTimer? inactivity, CancellationToken cancellationToken)
    {
        using var command = new MemoryStream();
        DimseCommand? parsed = null;
        ReceivedDataset? data = null;
        byte contextId = 0;
        try
        {
            while (true)
            {
                IReadOnlyList<PresentationDataValue> values;
                if (_leftover.Count > 0)
                {
                    values = [.. _leftover];
                    _leftover.Clear();
                }
                else
                {
                    var pdu = await ReadPduAsync(inactivity, "a DIMSE message", cancellationToken).ConfigureAwait(false);
                    switch (pdu)
                    {
                        case null:
                            if (command.Length > 0 || data is not null)
                            {
                                throw new DicomNetworkException($"{Peer} closed the connection in the middle of a DIMSE message.");
                            }

                            State = AssociationState.Idle;
                            return null;
                        case DataTransferPdu transfer:
                            values = transfer.Values;
                            break;
                        case ReleaseRequestPdu when command.Length == 0 && data is null:
                            await SendPduAsync(new ReleaseResponsePdu(), cancellationToken).ConfigureAwait(false);
                            State = AssociationState.AwaitingClose;
                            return null;
                        case AbortPdu abort:
                            State = AssociationState.Idle;
                            throw new AssociationAbortedException($"{Peer}: association {abort.Describe()}.", abort);
                        default:
                            throw await UnexpectedAsync(pdu, cancellationToken).ConfigureAwait(false);
                    }
                }

                for (var i = 0; i < values.Count; i++)
                {
                    var pdv = values[i];
                    if (!_contexts.ContainsKey(pdv.PresentationContextId) || (contextId != 0 && pdv.PresentationContextId != contextId))
                    {
                        throw await ProtocolErrorAsync($"a PDV on presentation context {pdv.PresentationContextId}, which was not accepted or changed within a message", cancellationToken).ConfigureAwait(false);
                    }

                    contextId = pdv.PresentationContextId;
                    DimseMessage? complete = null;
                    if (pdv.IsCommand)
                    {
                        if (parsed is not null || command.Length + pdv.Data.Length > MaxCommandLength)
                        {
                            throw await ProtocolErrorAsync("a command fragment after a complete command, or a command over 64 KB", cancellationToken).ConfigureAwait(false);
                        }

                        command.Write(pdv.Data.Span);
                        if (pdv.IsLastFragment)
                        {
                            parsed = DimseCommand.Decode(command.ToArray());
                            complete = parsed.HasDataSet ? null : new DimseMessage(contextId, parsed, null);
                        }
                    }
                    else
                    {
                        if (parsed is null)
                        {
                            throw await ProtocolErrorAsync("data set fragments before the command", cancellationToken).ConfigureAwait(false);
                        }

                        data ??= new ReceivedDataset(_contexts[contextId].TransferSyntax, _settings.DatasetMemoryThreshold, _settings.SpoolDirectory);
                        await data.AppendAsync(pdv.Data, cancellationToken).ConfigureAwait(false);
                        if (pdv.IsLastFragment)
                        {
                            complete = new DimseMessage(contextId, parsed, data);
                            data = null;
                        }
                    }

                    if (complete is not null)
                    {
                        // The PDU's buffer is reused by the next read: keep copies of what belongs to the next message.
                        for (var rest = i + 1; rest < values.Count; rest++)
                        {
                            _leftover.Enqueue(values[rest] with { Data = values[rest].Data.ToArray() });
                        }

                        return complete;
                    }
                }
            }
        }
        catch
        {
            data?.Dispose();
            throw;
        }
    }

    /// <summary>Requestor: asks to release, answers a release collision, waits for the response.</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        if (State != AssociationState.Established)
        {
            return;
        }

        await SendPduAsync(new ReleaseRequestPdu(), cancellationToken).ConfigureAwait(false);
        State = AssociationState.AwaitingReleaseResponse;
        while (State is AssociationState.AwaitingReleaseResponse or AssociationState.ReleaseCollision)
        {
            var pdu = await ReadPduAsync(_settings.AssociationTimeout, "the answer to our release request", cancellationToken).ConfigureAwait(false);
            switch (pdu)
            {
                case ReleaseResponsePdu:
                    if (State == AssociationState.ReleaseCollision && !IsRequestor)
                    {
                        // Acceptor in a collision (Sta10 → Sta12): answer only after the requestor's response.
                        await SendPduAsync(new ReleaseResponsePdu(), cancellationToken).ConfigureAwait(false);
                    }

                    State = AssociationState.AwaitingClose;
                    break;
                case ReleaseRequestPdu:
                    // Release collision (PS3.8 9.2.2): the requestor answers first, the acceptor waits.
                    State = AssociationState.ReleaseCollision;
                    if (IsRequestor)
                    {
                        await SendPduAsync(new ReleaseResponsePdu(), cancellationToken).ConfigureAwait(false);
                    }

                    break;
                case DataTransferPdu:
                    // Data still in flight when we asked to release (Sta7 may receive P-DATA); nothing waits for it.
                    break;
                case AbortPdu abort:
                    State = AssociationState.Idle;
                    throw new AssociationAbortedException($"{Peer}: association {abort.Describe()} while releasing.", abort);
                case null:
                    State = AssociationState.Idle;
                    return;
                default:
                    throw await UnexpectedAsync(pdu, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Sends an A-ABORT (best effort) and leaves the association.</summary>
    public async Task AbortAsync(AbortSource source, AbortReason reason)
    {
        if (State is AssociationState.Idle or AssociationState.AwaitingClose)
        {
            return;
        }

        try
        {
            var courtesy = TimeSpan.FromSeconds(2);
            using var cts = new CancellationTokenSource(courtesy, _settings.TimeProvider);
            await SendPduAsync(new AbortPdu(source, reason), cts.Token, courtesy).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or TimeoutException)
        {
            // The peer may already be gone; the abort is a courtesy.
        }

        State = AssociationState.AwaitingClose;
    }

    public async Task SendPduAsync(Pdu pdu, CancellationToken cancellationToken, TimeSpan? writeTimeout = null)
    {
        var bytes = PduCodec.Encode(pdu);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        // As in SendMessageAsync: once started, a PDU is written whole or the connection closed.
        var limit = writeTimeout ?? _settings.WriteTimeout;
        using var timer = new CancellationTokenSource(limit, _settings.TimeProvider);
        try
        {
            await _stream.WriteAsync(bytes, timer.Token).ConfigureAwait(false);
            await _stream.FlushAsync(timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested)
        {
            throw StoppedReading(limit);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Close the connection first: a read still pending must end before its pooled buffer goes back.
        await _stream.DisposeAsync().ConfigureAwait(false);
        _reader.Dispose();
        _writeLock.Dispose();
        State = AssociationState.Idle;
    }

    /// <summary>The peer stopped reading: nothing more can reach it, not even an abort, so the connection is closed.</summary>
    private TimeoutException StoppedReading(TimeSpan timeout)
    {
        State = AssociationState.Idle;
        _stream.Dispose();
        return new TimeoutException($"{Peer} stopped reading: nothing could be sent for {timeout.TotalSeconds:0.#} s; the connection was closed.");
    }

    private void OnAccepted(AssociateRequestPdu request, AssociateAcceptPdu accept)
    {
        Accept = accept;
        PeerMaxPduLength = IsRequestor ? accept.UserInformation.MaxPduLength : request.UserInformation.MaxPduLength;
        var proposals = request.PresentationContexts.ToDictionary(p => p.Id);
        // The roles the acceptor granted the requestor (PS3.7 D.3.3.4); none listed means SCU only.
        var roles = accept.UserInformation.RoleSelections;
        foreach (var result in accept.PresentationContexts.Where(r => r.IsAccepted))
        {
            if (!proposals.TryGetValue(result.Id, out var proposal))
            {
                continue;
            }

            var requestorIsScp = roles.Any(r => r.SopClassUid == proposal.AbstractSyntax && r.ScpRole);
            _contexts[result.Id] = new NegotiatedContext(result.Id, proposal.AbstractSyntax, DicomTransferSyntax.FromUid(result.TransferSyntax))
            {
                RequestorIsScp = requestorIsScp,
            };
        }

        State = AssociationState.Established;
    }

    /// <summary>Reads a PDU, giving up after <paramref name="timeout"/> (on the injected clock) with an A-ABORT.</summary>
    private async Task<Pdu?> ReadPduAsync(TimeSpan? timeout, string waitingFor, CancellationToken cancellationToken)
    {
        if (timeout is not { } t)
        {
            return await ReadPduAsync((InactivityTimer?)null, waitingFor, cancellationToken).ConfigureAwait(false);
        }

        using var timer = new InactivityTimer(t, _settings.TimeProvider, cancellationToken);
        return await ReadPduAsync(timer, waitingFor, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Pdu?> ReadPduAsync(InactivityTimer? timer, string waitingFor, CancellationToken cancellationToken)
    {
        timer?.Restart();
        try
        {
            return await _reader.ReadAsync(timer?.Token ?? cancellationToken).ConfigureAwait(false);
        }
        catch (PduFormatException ex)
        {
            await AbortAsync(AbortSource.ServiceProvider, ex.Reason).ConfigureAwait(false);
            throw new AssociationAbortedException($"{Peer} sent a malformed PDU while we waited for {waitingFor}; the association was aborted. {ex.Message}");
        }
        catch (OperationCanceledException) when (timer?.Fired == true && !cancellationToken.IsCancellationRequested)
        {
            await AbortAsync(AbortSource.ServiceUser, AbortReason.NotSpecified).ConfigureAwait(false);
            throw new TimeoutException($"{Peer} did not answer within {timer.Timeout.TotalSeconds:0.#} s while we waited for {waitingFor}; the association was aborted.");
        }
        catch (IOException ex)
        {
            State = AssociationState.Idle;
            throw new DicomNetworkException($"The connection to {Peer} failed while we waited for {waitingFor}: {ex.Message}", ex);
        }
    }

    private async Task<Exception> UnexpectedAsync(Pdu pdu, CancellationToken cancellationToken)
    {
        if (pdu is AbortPdu abort)
        {
            State = AssociationState.Idle;
            return new AssociationAbortedException($"{Peer}: association {abort.Describe()}.", abort);
        }

        return await ProtocolErrorAsync($"an unexpected {pdu.Type} PDU in state {State}", cancellationToken).ConfigureAwait(false);
    }

    private async Task<Exception> ProtocolErrorAsync(string what, CancellationToken cancellationToken)
    {
        _ = cancellationToken;
        await AbortAsync(AbortSource.ServiceProvider, AbortReason.UnexpectedPdu).ConfigureAwait(false);
        return new AssociationAbortedException($"{Peer} sent {what}; the association was aborted.");
    }

    private void EnsureState(AssociationState expected, string what)
    {
        if (State != expected)
        {
            throw new InvalidOperationException($"Cannot {what}: the association with {Peer} is {State}.");
        }
    }
}
