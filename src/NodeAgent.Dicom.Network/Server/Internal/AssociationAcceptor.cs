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
        }
    }

    private AssociateRejectPdu? Refusal(AssociateRequestPdu request, bool overLimit)
    {
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
        var next = channel.ReceiveMessageAsync(options.IdleTimeout, cancellationToken);
        while (true)
        {
            using var message = await next.ConfigureAwait(false);
            if (message is null)
            {
                return;
            }

            var context = channel.Context(message.PresentationContextId)!;
            switch (message.Command.Field)
            {
                case DimseCommandField.CEchoRequest:
                    var echoStatus = handlers.Echo is null ? DimseStatus.Success : await handlers.Echo.EchoAsync(info, cancellationToken).ConfigureAwait(false);
                    await RespondAsync(channel, context, message, DimseCommandField.CEchoResponse, echoStatus, cancellationToken).ConfigureAwait(false);
                    next = channel.ReceiveMessageAsync(options.IdleTimeout, cancellationToken);
                    break;
                case DimseCommandField.CStoreRequest:
                    var storeStatus = await StoreAsync(message, info, handlers.Store, cancellationToken).ConfigureAwait(false);
                    await RespondAsync(channel, context, message, DimseCommandField.CStoreResponse, storeStatus, cancellationToken, sopInstance: message.Command.AffectedSopInstanceUid).ConfigureAwait(false);
                    next = channel.ReceiveMessageAsync(options.IdleTimeout, cancellationToken);
                    break;
                case DimseCommandField.CFindRequest when handlers.Find is not null && message.Dataset is not null:
                    next = await FindAsync(channel, context, message, info, handlers.Find, cancellationToken).ConfigureAwait(false);
                    break;
                case DimseCommandField.CCancelRequest:
                    // A cancel for an operation already finished: nothing to do (PS3.7 9.3.2.3).
                    next = channel.ReceiveMessageAsync(options.IdleTimeout, cancellationToken);
                    break;
                default:
                    await RespondAsync(channel, context, message, (DimseCommandField)((ushort)message.Command.Field | 0x8000), DimseStatus.SopClassNotSupported, cancellationToken).ConfigureAwait(false);
                    next = channel.ReceiveMessageAsync(options.IdleTimeout, cancellationToken);
                    break;
            }
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
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DicomException)
        {
            ServerLog.StoreFailed(logger, info.CallingAeTitle, ex.GetType().Name);
            return DimseStatus.ProcessingFailure;
        }
    }

    /// <summary>
    /// Streams matches as pending responses while a read waits for a C-CANCEL. Returns the read
    /// that the message loop continues with.
    /// </summary>
    private async Task<Task<DimseMessage?>> FindAsync(AssociationChannel channel, NegotiatedContext context, DimseMessage message, DicomAssociationInfo info, IDicomFindHandler handler, CancellationToken cancellationToken)
    {
        var identifier = message.Dataset!.ReadDataset();
        var level = (identifier.GetString(DicomTags.QueryRetrieveLevel) ?? "").Trim() switch
        {
            "PATIENT" => DicomQueryLevel.Patient,
            "SERIES" => DicomQueryLevel.Series,
            "IMAGE" => DicomQueryLevel.Image,
            _ => DicomQueryLevel.Study,
        };
        var model = context.AbstractSyntax == DicomUids.PatientRootQueryRetrieveInformationModelFind ? DicomQueryModel.PatientRoot : DicomQueryModel.StudyRoot;
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var next = channel.ReceiveMessageAsync(options.IdleTimeout, cancellationToken);

        // Whatever arrives during the find (a C-CANCEL, or anything else) stops the handler. The read
        // may outlive this find (it becomes the next message), so the cancel may find the source disposed.
        _ = next.ContinueWith(
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
            await foreach (var match in handler.FindAsync(new DicomFindRequest(info, model, level, identifier), cancel.Token).ConfigureAwait(false))
            {
                if (next.IsCompleted)
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

        if (status == DimseStatus.Cancel)
        {
            using var received = await next.ConfigureAwait(false);
            if (received is null || received.Command.Field != DimseCommandField.CCancelRequest)
            {
                throw new DicomNetworkException($"{info.CallingAeTitle} sent {received?.Command.ToString() ?? "a release"} during a C-FIND; only C-CANCEL may come then.");
            }

            next = channel.ReceiveMessageAsync(options.IdleTimeout, cancellationToken);
        }

        await RespondAsync(channel, context, message, DimseCommandField.CFindResponse, status, cancellationToken).ConfigureAwait(false);
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
}
