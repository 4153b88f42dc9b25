using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodeAgent.Dicom.Network.Associations;
using NodeAgent.Dicom.Network.Associations.Internal;
using NodeAgent.Dicom.Network.Dimse;
using NodeAgent.Dicom.Network.Pdus;
using NodeAgent.Dicom.Network.Query;
using NodeAgent.Dicom.Network.Storage;

namespace NodeAgent.Dicom.Network.Server.Internal;

/// <summary>
/// Serves one accepted connection: negotiates the association, then answers C-ECHO, C-STORE and
/// C-FIND one message at a time (asynchronous operations window 1) until the peer releases,
/// aborts, falls silent past the idle timeout, or breaks the protocol (then we abort).
/// </summary>
internal sealed class AssociationAcceptor(DicomServerOptions options, IServiceProvider services, ILogger logger, TimeProvider timeProvider)
{
    public async Task ServeAsync(Stream stream, string remote, bool overLimit, CancellationToken cancellationToken)
    {
        var settings = new AssociationSettings
        {
            MaxPduLength = options.MaxPduLength,
            AssociationTimeout = options.AssociationTimeout,
            DatasetMemoryThreshold = options.DatasetMemoryThreshold,
            SpoolDirectory = options.SpoolDirectory,
            WriteTimeout = options.IdleTimeout,
            TimeProvider = timeProvider,
        };
        var channel = await AssociationChannel.ReceiveRequestAsync(stream, settings, remote, cancellationToken).ConfigureAwait(false);
        await using (channel.ConfigureAwait(false))
        {
            var request = channel.Request!;
            var info = new DicomAssociationInfo(request.CallingAeTitle, request.CalledAeTitle, remote);
            if (Refusal(request, overLimit) is { } reject)
            {
                ServerLog.AssociationRejected(logger, request.CallingAeTitle, remote, reject.Describe());
                await channel.RejectAsync(reject, cancellationToken).ConfigureAwait(false);
                return;
            }

            await using var scope = services.CreateAsyncScope();
            var storeHandler = scope.ServiceProvider.GetService<IDicomStoreHandler>();
            var findHandler = scope.ServiceProvider.GetService<IDicomFindHandler>();
            var echoHandler = scope.ServiceProvider.GetService<IDicomEchoHandler>();
            var results = ContextNegotiator.Negotiate(request.PresentationContexts, options.PreferredTransferSyntaxes, storeHandler is not null, findHandler is not null);
            var user = new UserInformation
            {
                MaxPduLength = options.MaxPduLength,

                // We perform one operation at a time: a proposed window is answered 1/1 (PS3.7 D.3.3.3).
                MaxOperationsInvoked = request.UserInformation.MaxOperationsInvoked is null ? null : (ushort)1,
                MaxOperationsPerformed = request.UserInformation.MaxOperationsInvoked is null ? null : (ushort)1,
            };
            await channel.AcceptAsync(new AssociateAcceptPdu(request.CalledAeTitle, request.CallingAeTitle, results, user), cancellationToken).ConfigureAwait(false);
            var accepted = results.Count(r => r.IsAccepted);
            ServerLog.AssociationAccepted(logger, request.CallingAeTitle, remote, accepted, results.Count);
            var handlers = new Handlers(echoHandler, storeHandler, findHandler);
            try
            {
                await ServeMessagesAsync(channel, info, handlers, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is DicomNetworkException or TimeoutException or IOException)
            {
                ServerLog.AssociationFailed(logger, request.CallingAeTitle, remote, ex.Message);
                await channel.AbortAsync(AbortSource.ServiceProvider, AbortReason.NotSpecified).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A defect of ours or a handler's: the peer gets an abort rather than a dropped connection.
                ServerLog.AssociationCrashed(logger, request.CallingAeTitle, remote, ex.GetType().Name, ex.StackTrace ?? "");
                await channel.AbortAsync(AbortSource.ServiceProvider, AbortReason.NotSpecified).ConfigureAwait(false);
            }
        }
    }

    private AssociateRejectPdu? Refusal(AssociateRequestPdu request, bool overLimit)
    {
        if ((request.ProtocolVersion & 1) == 0)
        {
            // PS3.8 9.3.2: bit 0 is version 1, the only one there is.
            return new AssociateRejectPdu(AssociateRejectResult.Permanent, AssociateRejectSource.ServiceProviderAcse, AssociateRejectPdu.ReasonProtocolVersionNotSupported);
        }

        if (request.ApplicationContextName != AssociateRequestPdu.DicomApplicationContext)
        {
            return new AssociateRejectPdu(AssociateRejectResult.Permanent, AssociateRejectSource.ServiceUser, AssociateRejectPdu.ReasonApplicationContextNotSupported);
        }

        if (options.CheckCalledAeTitle && !string.Equals(request.CalledAeTitle, options.AeTitle, StringComparison.Ordinal))
        {
            return new AssociateRejectPdu(AssociateRejectResult.Permanent, AssociateRejectSource.ServiceUser, AssociateRejectPdu.ReasonCalledAeNotRecognized);
        }

        if (options.AllowedCallingAeTitles is { } allowed && !allowed.Contains(request.CallingAeTitle))
        {
            return new AssociateRejectPdu(AssociateRejectResult.Permanent, AssociateRejectSource.ServiceUser, AssociateRejectPdu.ReasonCallingAeNotRecognized);
        }

        return overLimit
            ? new AssociateRejectPdu(AssociateRejectResult.Transient, AssociateRejectSource.ServiceProviderPresentation, AssociateRejectPdu.ReasonLocalLimitExceeded)
            : null;
    }

    private async Task ServeMessagesAsync(AssociationChannel channel, DicomAssociationInfo info, Handlers handlers, CancellationToken cancellationToken)
    {
        var next = new PendingRead(channel.ReceiveMessageAsync(options.IdleTimeout, cancellationToken), null);
        while (true)
        {
            DimseMessage? received;
            using (next.Timer)
            {
                received = await next.Message.ConfigureAwait(false);
            }

            using var message = received;
            if (message is null)
            {
                return;
            }

            var context = channel.Context(message.PresentationContextId)!;
            switch (message.Command.Field)
            {
                case DimseCommandField.CEchoRequest:
                    var echoStatus = await EchoAsync(info, handlers.Echo, cancellationToken).ConfigureAwait(false);
                    await RespondAsync(channel, context, message, DimseCommandField.CEchoResponse, echoStatus, cancellationToken).ConfigureAwait(false);
                    break;
                case DimseCommandField.CStoreRequest:
                    var storeStatus = await StoreAsync(message, info, handlers.Store, cancellationToken).ConfigureAwait(false);
                    await RespondAsync(channel, context, message, DimseCommandField.CStoreResponse, storeStatus, cancellationToken, sopInstance: message.Command.AffectedSopInstanceUid).ConfigureAwait(false);
                    break;
                case DimseCommandField.CFindRequest when handlers.Find is not null:
                    if (FindRequest(message, context, info) is not { } find)
                    {
                        await RespondAsync(channel, context, message, DimseCommandField.CFindResponse, DimseStatus.IdentifierDoesNotMatchSopClass, cancellationToken).ConfigureAwait(false);
                        break;
                    }

                    next = await FindAsync(channel, context, message, find, handlers.Find, cancellationToken).ConfigureAwait(false);
                    continue;
                case DimseCommandField.CCancelRequest:
                    // A cancel for an operation already finished: nothing to do (PS3.7 9.3.2.3).
                    break;
                default:
                    await RespondAsync(channel, context, message, (DimseCommandField)((ushort)message.Command.Field | 0x8000), DimseStatus.SopClassNotSupported, cancellationToken).ConfigureAwait(false);
                    break;
            }

            next = new PendingRead(channel.ReceiveMessageAsync(options.IdleTimeout, cancellationToken), null);
        }
    }

    private async Task<ushort> EchoAsync(DicomAssociationInfo info, IDicomEchoHandler? handler, CancellationToken cancellationToken)
    {
        if (handler is null)
        {
            return DimseStatus.Success;
        }

        try
        {
            return await handler.EchoAsync(info, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ServerLog.HandlerFailed(logger, "C-ECHO", info.CallingAeTitle, ex.GetType().Name);
            return DimseStatus.ProcessingFailure;
        }
    }

    private async Task<ushort> StoreAsync(DimseMessage message, DicomAssociationInfo info, IDicomStoreHandler? handler, CancellationToken cancellationToken)
    {
        var command = message.Command;
        if (handler is null || message.Dataset is null || command.AffectedSopClassUid is null || command.AffectedSopInstanceUid is null)
        {
            return DimseStatus.ProcessingFailure;
        }

        var request = new DicomStoreRequest(command.AffectedSopClassUid, command.AffectedSopInstanceUid, info.CallingAeTitle, message.Dataset)
        {
            MoveOriginatorAeTitle = command.MoveOriginatorAeTitle,
        };
        try
        {
            return await handler.StoreAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Full disk, permissions: out of resources, which a sender may retry later (PS3.4 B.2.3).
            ServerLog.HandlerFailed(logger, "C-STORE", info.CallingAeTitle, ex.GetType().Name);
            return DimseStatus.OutOfResources;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ServerLog.HandlerFailed(logger, "C-STORE", info.CallingAeTitle, ex.GetType().Name);
            return DimseStatus.UnableToProcess;
        }
    }

    /// <summary>
    /// The request a find handler gets, or null when the identifier is missing or does not fit the
    /// information model (no or an unknown level, PATIENT in the study root model): PS3.4 C.4.1.1.
    /// </summary>
    private static DicomFindRequest? FindRequest(DimseMessage message, NegotiatedContext context, DicomAssociationInfo info)
    {
        if (message.Dataset is null)
        {
            return null;
        }

        DicomDataset identifier;
        try
        {
            identifier = message.Dataset.ReadDataset();
        }
        catch (DicomException)
        {
            return null;
        }

        var model = context.AbstractSyntax == DicomUids.PatientRootQueryRetrieveInformationModelFind ? DicomQueryModel.PatientRoot : DicomQueryModel.StudyRoot;
        DicomQueryLevel? level = (identifier.GetString(DicomTags.QueryRetrieveLevel) ?? "").Trim() switch
        {
            "PATIENT" when model == DicomQueryModel.PatientRoot => DicomQueryLevel.Patient,
            "STUDY" => DicomQueryLevel.Study,
            "SERIES" => DicomQueryLevel.Series,
            "IMAGE" => DicomQueryLevel.Image,
            _ => null,
        };
        return level is { } known ? new DicomFindRequest(info, model, known, identifier) : null;
    }

    /// <summary>
    /// Streams matches as pending responses while a read waits for a C-CANCEL. Returns the read that
    /// the message loop continues with: its idle timer is paused while we send, and starts at the
    /// final response (a requestor says nothing while the matches come).
    /// </summary>
    private async Task<PendingRead> FindAsync(AssociationChannel channel, NegotiatedContext context, DimseMessage message, DicomFindRequest request, IDicomFindHandler handler, CancellationToken cancellationToken)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var idle = new InactivityTimer(options.IdleTimeout, timeProvider, cancellationToken);
        var read = channel.ReceiveMessageAsync(idle, cancellationToken);
        idle.Pause();
        var next = new PendingRead(read, idle);

        // Whatever arrives during the find (a C-CANCEL, or anything else) stops the handler. The read
        // may outlive this find (it becomes the next message), so the cancel may find the source disposed.
        _ = read.ContinueWith(
            static (_, state) =>
            {
                try
                {
                    ((CancellationTokenSource)state!).Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The find was over before the next message came.
                }
            },
            cancel,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        var status = DimseStatus.Success;
        try
        {
            await foreach (var match in handler.FindAsync(request, cancel.Token).ConfigureAwait(false))
            {
                if (read.IsCompleted)
                {
                    status = DimseStatus.Cancel;
                    break;
                }

                var pending = new DimseCommand(DimseCommandField.CFindResponse, message.Command.MessageId, hasDataSet: true)
                {
                    AffectedSopClassUid = message.Command.AffectedSopClassUid,
                    Status = DimseStatus.Pending,
                };
                await channel.SendMessageAsync(context.Id, pending, DatasetSource.FromDataset(match), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            status = DimseStatus.Cancel;
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not DicomNetworkException and not TimeoutException and not IOException)
        {
            // The handler's failure (its database, say) ends this find, not the association.
            ServerLog.HandlerFailed(logger, "C-FIND", request.Association.CallingAeTitle, ex.GetType().Name);
            status = DimseStatus.UnableToProcess;
        }

        if (status == DimseStatus.Cancel)
        {
            using (idle)
            {
                using var received = await read.ConfigureAwait(false);
                if (received is null || received.Command.Field != DimseCommandField.CCancelRequest || received.Command.MessageIdBeingRespondedTo != message.Command.MessageId)
                {
                    throw new DicomNetworkException($"{request.Association.CallingAeTitle} sent {received?.Command.ToString() ?? "a release"} during a C-FIND; only a C-CANCEL of that C-FIND may come then.");
                }
            }

            next = new PendingRead(channel.ReceiveMessageAsync(options.IdleTimeout, cancellationToken), null);
        }

        await RespondAsync(channel, context, message, DimseCommandField.CFindResponse, status, cancellationToken).ConfigureAwait(false);
        // The idle time of the requestor starts now; we own the timer until the loop has read the message.
        next.Timer?.Restart();

        return next;
    }

    private static Task RespondAsync(AssociationChannel channel, NegotiatedContext context, DimseMessage request, DimseCommandField field, ushort status, CancellationToken cancellationToken, string? sopInstance = null)
    {
        var response = new DimseCommand(field, request.Command.MessageId, hasDataSet: false)
        {
            AffectedSopClassUid = request.Command.AffectedSopClassUid,
            Status = status,
        };
        if (sopInstance is not null)
        {
            response.AffectedSopInstanceUid = sopInstance;
        }

        return channel.SendMessageAsync(context.Id, response, null, cancellationToken);
    }

    private sealed record Handlers(IDicomEchoHandler? Echo, IDicomStoreHandler? Store, IDicomFindHandler? Find);

    /// <summary>The read of the next message, with the idle timer it owns (disposed once the read is over).</summary>
    private readonly record struct PendingRead(Task<DimseMessage?> Message, InactivityTimer? Timer);
}
