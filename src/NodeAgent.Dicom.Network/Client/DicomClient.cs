using System.Diagnostics;
using System.Runtime.CompilerServices;
using NodeAgent.Dicom.IO;
using NodeAgent.Dicom.Network.Client.Internal;
using NodeAgent.Dicom.Network.Dimse;
using NodeAgent.Dicom.Network.Pdus;
using NodeAgent.Dicom.Network.Query;
using NodeAgent.Dicom.Network.Storage;

namespace NodeAgent.Dicom.Network.Client;

/// <summary>
/// A DIMSE service user towards one remote AE: C-ECHO, C-FIND (with C-CANCEL), C-STORE, C-MOVE and
/// C-GET. Each operation opens its own association, holding one slot of the AE's concurrency limit,
/// and releases it at the end.
/// </summary>
public sealed class DicomClient
{
    private static readonly string[] NativeSyntaxes = [DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian];

    private readonly DicomClientOptions _options;
    private readonly DicomPeerRegistry _registry;

    public DicomClient(DicomClientOptions options, DicomPeerRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _registry = registry ?? DicomPeerRegistry.Shared;
    }

    public DicomClientOptions Options => _options;

    /// <summary>C-ECHO: opens an association, verifies, releases. Returns the round trip of the echo itself.</summary>
    public async Task<TimeSpan> EchoAsync(CancellationToken cancellationToken = default)
    {
        using var activity = DicomNetworkTelemetry.Start("C-ECHO", _options);
        await using var association = await OpenAsync([new PresentationContextProposal(1, DicomUids.Verification, NativeSyntaxes)], cancellationToken).ConfigureAwait(false);
        return await EchoOnAsync(association, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// C-FIND: the matches as they arrive. Stopping the enumeration early (or cancelling) sends a
    /// C-CANCEL and waits for the peer to confirm. <paramref name="summary"/> says how it ended;
    /// a failure status is raised after the matches that came before it.
    /// </summary>
    public async IAsyncEnumerable<DicomDataset> FindAsync(DicomQuery query, DicomFindSummary? summary = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var activity = DicomNetworkTelemetry.Start("C-FIND", _options);
        ArgumentNullException.ThrowIfNull(query);
        var sopClass = query.Model.FindSopClass();
        await using var association = await OpenAsync([new PresentationContextProposal(1, sopClass, NativeSyntaxes)], cancellationToken, FindNegotiation(sopClass)).ConfigureAwait(false);
        await foreach (var match in FindOnAsync(association, query, summary, cancellationToken).ConfigureAwait(false))
        {
            yield return match;
        }
    }

    /// <summary>
    /// Opens an association for many queries in a row (C-FIND in both information models, and
    /// C-ECHO): what a crawler sending thousands of C-FINDs should use instead of an association each.
    /// </summary>
    public async Task<DicomClientSession> OpenSessionAsync(CancellationToken cancellationToken = default)
    {
        var study = DicomQueryModel.StudyRoot.FindSopClass();
        var patient = DicomQueryModel.PatientRoot.FindSopClass();
        var association = await OpenAsync(
            [
                new PresentationContextProposal(1, study, NativeSyntaxes),
                new PresentationContextProposal(3, patient, NativeSyntaxes),
                new PresentationContextProposal(5, DicomUids.Verification, NativeSyntaxes),
            ],
            cancellationToken,
            [.. FindNegotiation(study), .. FindNegotiation(patient)]).ConfigureAwait(false);
        return new DicomClientSession(this, association);
    }

    internal async IAsyncEnumerable<DicomDataset> FindOnAsync(ClientAssociation association, DicomQuery query, DicomFindSummary? summary, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        summary ??= new DicomFindSummary();
        var sopClass = query.Model.FindSopClass();
        var context = association.RequireContext(sopClass, "C-FIND in this information model");
        var command = new DimseCommand(DimseCommandField.CFindRequest, association.NextMessageId(), hasDataSet: true) { AffectedSopClassUid = sopClass, Priority = 0 };
        association.BeginOperation();
        await association.SendAsync(context, command, DatasetSource.FromDataset(query.Identifier), cancellationToken).ConfigureAwait(false);
        var finished = false;
        try
        {
            while (true)
            {
                using var response = await association.ReceiveAsync("C-FIND responses", cancellationToken).ConfigureAwait(false);
                Expect(response, DimseCommandField.CFindResponse, command.MessageId);
                var status = response.Command.Status;
                if (DimseStatus.IsPending(status))
                {
                    summary.Matches++;
                    if (response.Dataset is not null)
                    {
                        yield return response.Dataset.ReadDataset();
                    }

                    continue;
                }

                finished = true;
                association.EndOperation();
                summary.Status = status;
                summary.ErrorComment = response.Command.ErrorComment;
                if (DimseStatus.IsFailure(status))
                {
                    throw new DimseStatusException("C-FIND", association.Peer, status, response.Command.ErrorComment);
                }

                yield break;
            }
        }
        finally
        {
            if (!finished && association.Channel.State == Associations.AssociationState.Established)
            {
                if (await CancelAndDrainAsync(association, context, command.MessageId, DimseCommandField.CFindResponse).ConfigureAwait(false) is { } final)
                {
                    association.EndOperation();
                    summary.Status = final;
                }
            }
        }
    }

    internal static async Task<TimeSpan> EchoOnAsync(ClientAssociation association, CancellationToken cancellationToken)
    {
        var context = association.RequireContext(DicomUids.Verification, "verification (C-ECHO)");
        var command = new DimseCommand(DimseCommandField.CEchoRequest, association.NextMessageId(), hasDataSet: false) { AffectedSopClassUid = DicomUids.Verification };
        var watch = Stopwatch.StartNew();
        association.BeginOperation();
        await association.SendAsync(context, command, null, cancellationToken).ConfigureAwait(false);
        using var response = await association.ReceiveAsync("the C-ECHO response", cancellationToken).ConfigureAwait(false);
        association.EndOperation();
        watch.Stop();
        Expect(response, DimseCommandField.CEchoResponse, command.MessageId);
        if (!DimseStatus.IsSuccess(response.Command.Status))
        {
            throw new DimseStatusException("C-ECHO", association.Peer, response.Command.Status, response.Command.ErrorComment);
        }

        return watch.Elapsed;
    }

    /// <summary>C-STORE of files over one association (several if the files need more presentation contexts than one allows).</summary>
    public async Task<DicomStoreResult> StoreAsync(IEnumerable<string> files, IProgress<DicomStoreOutcome>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        var result = new DicomStoreResult();
        var pending = new List<(string Path, string SopClass, DicomTransferSyntax Syntax)>();
        foreach (var path in files)
        {
            try
            {
                using var header = await DicomFile.OpenAsync(path, DicomReadOptions.StopBeforePixelData, cancellationToken).ConfigureAwait(false);
                var sopClass = header.Dataset.GetString(DicomTags.SOPClassUID) ?? header.FileMetaInformation.GetString(DicomTags.MediaStorageSOPClassUID);
                if (string.IsNullOrEmpty(sopClass) || string.IsNullOrEmpty(header.Dataset.GetString(DicomTags.SOPInstanceUID)))
                {
                    Report(result, progress, new DicomStoreOutcome(path, null, "no SOP Class UID or SOP Instance UID"));
                    continue;
                }

                pending.Add((path, sopClass, header.TransferSyntax));
            }
            catch (Exception ex) when (ex is DicomException or IOException or UnauthorizedAccessException)
            {
                Report(result, progress, new DicomStoreOutcome(path, null, ex.Message));
            }
        }

        // One context per (SOP class, transfer syntax); native files also accept explicit and implicit VR LE.
        foreach (var batch in Batches(pending, 127))
        {
            await StoreBatchAsync(batch, result, progress, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>C-MOVE: asks the peer to send the matching instances to <paramref name="destinationAeTitle"/>.</summary>
    public async Task<DicomRetrieveResult> MoveAsync(DicomQuery identifier, string destinationAeTitle, IProgress<DicomRetrieveProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        ArgumentException.ThrowIfNullOrEmpty(destinationAeTitle);
        var sopClass = identifier.Model.MoveSopClass();
        await using var association = await OpenAsync([new PresentationContextProposal(1, sopClass, NativeSyntaxes)], cancellationToken).ConfigureAwait(false);
        var context = association.RequireContext(sopClass, "C-MOVE in this information model");
        var command = new DimseCommand(DimseCommandField.CMoveRequest, association.NextMessageId(), hasDataSet: true)
        {
            AffectedSopClassUid = sopClass,
            MoveDestination = destinationAeTitle,
            Priority = 0,
        };
        association.BeginOperation();
        await association.SendAsync(context, command, DatasetSource.FromDataset(identifier.Identifier), cancellationToken).ConfigureAwait(false);
        while (true)
        {
            using var response = await association.ReceiveAsync("C-MOVE responses", _options.MoveResponseTimeout, cancellationToken).ConfigureAwait(false);
            Expect(response, DimseCommandField.CMoveResponse, command.MessageId);
            if (RetrieveStep(response, progress, "C-MOVE", association.Peer) is { } done)
            {
                association.EndOperation();
                return done;
            }
        }
    }

    /// <summary>C-GET: receives the matching instances on this association and hands each to <paramref name="handler"/>.</summary>
    public async Task<DicomRetrieveResult> GetAsync(DicomQuery identifier, IDicomStoreHandler handler, IProgress<DicomRetrieveProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        ArgumentNullException.ThrowIfNull(handler);
        var sopClass = identifier.Model.GetSopClass();
        var storage = StorageContexts.Proposals(3, 127);
        List<PresentationContextProposal> proposals = [new PresentationContextProposal(1, sopClass, NativeSyntaxes), .. storage];
        await using var association = await OpenAsync(proposals, cancellationToken, roles: StorageContexts.ScpRoles(storage)).ConfigureAwait(false);
        var context = association.RequireContext(sopClass, "C-GET in this information model");
        var command = new DimseCommand(DimseCommandField.CGetRequest, association.NextMessageId(), hasDataSet: true) { AffectedSopClassUid = sopClass, Priority = 0 };
        association.BeginOperation();
        await association.SendAsync(context, command, DatasetSource.FromDataset(identifier.Identifier), cancellationToken).ConfigureAwait(false);
        while (true)
        {
            using var message = await association.ReceiveAsync("C-GET responses and instances", cancellationToken).ConfigureAwait(false);
            if (message.Command.Field == DimseCommandField.CStoreRequest)
            {
                await AnswerStoreAsync(association, message, handler, cancellationToken).ConfigureAwait(false);
                continue;
            }

            Expect(message, DimseCommandField.CGetResponse, command.MessageId);
            if (RetrieveStep(message, progress, "C-GET", association.Peer) is { } done)
            {
                association.EndOperation();
                return done;
            }
        }
    }

    private static DicomRetrieveResult? RetrieveStep(DimseMessage response, IProgress<DicomRetrieveProgress>? progress, string operation, string peer)
    {
        var c = response.Command;
        if (DimseStatus.IsPending(c.Status))
        {
            progress?.Report(new DicomRetrieveProgress(c.RemainingSubOperations ?? 0, c.CompletedSubOperations ?? 0, c.FailedSubOperations ?? 0, c.WarningSubOperations ?? 0));
            return null;
        }

        var result = new DicomRetrieveResult(c.Status, c.CompletedSubOperations ?? 0, c.FailedSubOperations ?? 0, c.WarningSubOperations ?? 0, c.ErrorComment);
        if (DimseStatus.IsFailure(c.Status) && result.Completed == 0)
        {
            // Orthanc answers an unknown move destination with a generic 0xC000, so say what to check.
            var hint = operation == "C-MOVE" && c.Status is DimseStatus.MoveDestinationUnknown or DimseStatus.UnableToProcess
                ? " Check that the PACS knows the move destination AE title, with our host and port."
                : "";
            throw new DimseStatusException(operation, peer, c.Status, c.ErrorComment + hint);
        }

        return result;
    }

    private static async Task AnswerStoreAsync(ClientAssociation association, DimseMessage message, IDicomStoreHandler handler, CancellationToken cancellationToken)
    {
        var request = message.Command;
        var context = association.Channel.Context(message.PresentationContextId)!;
        ushort status;
        if (message.Dataset is null || request.AffectedSopClassUid is null || request.AffectedSopInstanceUid is null)
        {
            status = DimseStatus.ProcessingFailure;
        }
        else
        {
            var store = new DicomStoreRequest(request.AffectedSopClassUid, request.AffectedSopInstanceUid, association.Channel.Request!.CalledAeTitle, message.Dataset)
            {
                MoveOriginatorAeTitle = request.MoveOriginatorAeTitle,
            };
            try
            {
                status = await handler.StoreAsync(store, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DicomException)
            {
                status = DimseStatus.ProcessingFailure;
            }
        }

        var response = new DimseCommand(DimseCommandField.CStoreResponse, request.MessageId, hasDataSet: false)
        {
            AffectedSopClassUid = request.AffectedSopClassUid,
            AffectedSopInstanceUid = request.AffectedSopInstanceUid,
            Status = status,
        };
        await association.SendAsync(context, response, null, cancellationToken).ConfigureAwait(false);
    }

    private async Task StoreBatchAsync(List<(string Path, string SopClass, DicomTransferSyntax Syntax)> batch, DicomStoreResult result, IProgress<DicomStoreOutcome>? progress, CancellationToken cancellationToken)
    {
        var proposals = new List<PresentationContextProposal>();
        byte id = 1;
        foreach (var (sopClass, syntax) in batch.Select(f => (f.SopClass, f.Syntax)).Distinct())
        {
            string[] offered = syntax.IsEncapsulated ? [syntax.Uid] : [syntax.Uid, .. NativeSyntaxes.Where(n => n != syntax.Uid)];
            proposals.Add(new PresentationContextProposal(id, sopClass, offered));
            id += 2;
        }

        await using var association = await OpenAsync(proposals, cancellationToken).ConfigureAwait(false);
        foreach (var (path, sopClass, syntax) in batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var proposal = proposals.First(p => p.AbstractSyntax == sopClass && p.TransferSyntaxes[0] == syntax.Uid);
            var context = association.Channel.Context(proposal.Id);
            if (context is null)
            {
                Report(result, progress, new DicomStoreOutcome(path, null, $"{association.Peer} does not accept this SOP class in {syntax.Name}"));
                continue;
            }

            using var file = await DicomFile.OpenAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
            var command = new DimseCommand(DimseCommandField.CStoreRequest, association.NextMessageId(), hasDataSet: true)
            {
                AffectedSopClassUid = sopClass,
                AffectedSopInstanceUid = file.Dataset.GetString(DicomTags.SOPInstanceUID),
                Priority = 0,
            };
            association.BeginOperation();
            await association.SendAsync(context, command, DatasetSource.FromFile(file), cancellationToken).ConfigureAwait(false);
            using var response = await association.ReceiveAsync("the C-STORE response", cancellationToken).ConfigureAwait(false);
            association.EndOperation();
            Expect(response, DimseCommandField.CStoreResponse, command.MessageId);
            var status = response.Command.Status;
            Report(result, progress, new DicomStoreOutcome(path, status, DimseStatus.IsFailure(status) ? DimseStatus.Describe(status) : null));
        }
    }

    private static IEnumerable<List<(string Path, string SopClass, DicomTransferSyntax Syntax)>> Batches(List<(string Path, string SopClass, DicomTransferSyntax Syntax)> files, int maxContexts)
    {
        var batch = new List<(string, string, DicomTransferSyntax)>();
        var contexts = new HashSet<(string, DicomTransferSyntax)>();
        foreach (var file in files)
        {
            if (contexts.Add((file.SopClass, file.Syntax)) && contexts.Count > maxContexts)
            {
                yield return batch;
                batch = [];
                contexts = [(file.SopClass, file.Syntax)];
            }

            batch.Add(file);
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    private static void Report(DicomStoreResult result, IProgress<DicomStoreOutcome>? progress, DicomStoreOutcome outcome)
    {
        result.Add(outcome);
        progress?.Report(outcome);
    }

    /// <summary>
    /// PS3.7 9.3.2.3: C-CANCEL, then the SCP ends with a Cancel (or another final) status, which is
    /// returned. Null when that did not happen in time: the association is then aborted.
    /// </summary>
    private async Task<ushort?> CancelAndDrainAsync(ClientAssociation association, Associations.NegotiatedContext context, ushort messageId, DimseCommandField responseField)
    {
        try
        {
            using var timeout = new CancellationTokenSource(_options.DimseTimeout, _registry.TimeProvider);
            var cancel = new DimseCommand(DimseCommandField.CCancelRequest, messageId, hasDataSet: false);
            await association.SendAsync(context, cancel, null, timeout.Token).ConfigureAwait(false);
            while (true)
            {
                using var response = await association.ReceiveAsync("the end of a cancelled operation", timeout.Token).ConfigureAwait(false);
                if (response.Command.Field == responseField && response.Command.MessageIdBeingRespondedTo == messageId && !DimseStatus.IsPending(response.Command.Status))
                {
                    return response.Command.Status;
                }
            }
        }
        catch (Exception ex) when (ex is DicomNetworkException or IOException or OperationCanceledException or TimeoutException)
        {
            await association.Channel.AbortAsync(AbortSource.ServiceUser, AbortReason.NotSpecified).ConfigureAwait(false);
            return null;
        }
    }

    private Task<ClientAssociation> OpenAsync(List<PresentationContextProposal> proposals, CancellationToken cancellationToken, IReadOnlyList<ExtendedNegotiation>? extended = null, IReadOnlyList<RoleSelection>? roles = null)
    {
        DicomNetworkTelemetry.AssociationRequested(_options.CalledAeTitle, proposals.Count > 0 ? proposals[0].AbstractSyntax : "");
        var user = new UserInformation
        {
            MaxPduLength = _options.MaxPduLength,
            UserIdentity = _options.UserIdentity,
            ExtendedNegotiations = extended ?? [],
            RoleSelections = roles ?? [],
        };
        return ClientAssociation.OpenAsync(_options, _registry, proposals, user, cancellationToken);
    }

    private List<ExtendedNegotiation> FindNegotiation(string sopClass)
    {
        if (!_options.RelationalQueries && !_options.FuzzyNameMatching)
        {
            return [];
        }

        // PS3.4 C.5.1.1: relational-queries, combined date-time matching, fuzzy semantic matching of person names.
        return [new ExtendedNegotiation(sopClass, new byte[] { _options.RelationalQueries ? (byte)1 : (byte)0, 0, _options.FuzzyNameMatching ? (byte)1 : (byte)0 })];
    }

    private static void Expect(DimseMessage message, DimseCommandField field, ushort messageId)
    {
        if (message.Command.Field != field || message.Command.MessageIdBeingRespondedTo != messageId)
        {
            throw new DicomNetworkException($"Expected {field} to message {messageId}, received {message.Command}.");
        }
    }
}
