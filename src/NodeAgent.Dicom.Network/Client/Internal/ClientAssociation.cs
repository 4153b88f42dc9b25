using System.Net.Security;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using NodeAgent.Dicom.Network.Associations;
using NodeAgent.Dicom.Network.Associations.Internal;
using NodeAgent.Dicom.Network.Dimse;
using NodeAgent.Dicom.Network.Pdus;
using Polly.CircuitBreaker;

namespace NodeAgent.Dicom.Network.Client.Internal;

/// <summary>
/// An association we opened to a remote AE, holding its slot of the per-AE concurrency limit until
/// disposed; disposing releases the association (or aborts it when it is in a bad state).
/// </summary>
internal sealed class ClientAssociation : IAsyncDisposable
{
    private readonly RateLimitLease _lease;
    private readonly DicomClientOptions _options;
    private ushort _nextMessageId;
    private bool _operationUnderway;

    private ClientAssociation(AssociationChannel channel, RateLimitLease lease, DicomClientOptions options)
    {
        Channel = channel;
        _lease = lease;
        _options = options;
    }

    public AssociationChannel Channel { get; }

    public string Peer => Channel.Peer;

    public static async Task<ClientAssociation> OpenAsync(
        DicomClientOptions options,
        DicomPeerRegistry registry,
        IReadOnlyList<PresentationContextProposal> proposals,
        UserInformation userInformation,
        CancellationToken cancellationToken)
    {
        var peer = options.Describe();
        var gate = registry.Gate($"{options.CalledAeTitle}@{options.Host}:{options.Port}", options.Resilience);
        var lease = await gate.Limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            throw new DicomNetworkException($"Too many operations are waiting for {peer}; the queue of {options.Resilience.MaxQueuedAssociations} is full.");
        }

        try
        {
            var request = new AssociateRequestPdu(options.CalledAeTitle, options.CallingAeTitle, proposals, userInformation);
            var settings = new AssociationSettings
            {
                MaxPduLength = options.MaxPduLength,
                AssociationTimeout = options.AssociationTimeout,
                DatasetMemoryThreshold = options.DatasetMemoryThreshold,
                SpoolDirectory = options.SpoolDirectory,
                WriteTimeout = options.DimseTimeout,
                TimeProvider = registry.TimeProvider,
            };
            var channel = await gate.OpenPipeline.ExecuteAsync(
                async ct =>
                {
                    var stream = await ConnectAsync(options, registry.TimeProvider, ct).ConfigureAwait(false);
                    return await AssociationChannel.RequestAsync(stream, request, settings, peer, ct).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
            return new ClientAssociation(channel, lease, options);
        }
        catch (BrokenCircuitException ex)
        {
            lease.Dispose();
            throw new DicomNetworkException($"{peer} failed repeatedly, so NodeAgent stops trying for a while (circuit open); the last error was: {ex.InnerException?.Message ?? ex.Message}", ex);
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Marks the start of a DIMSE operation. One that never reached <see cref="EndOperation"/> (an
    /// error, a cancellation) leaves the peer mid-exchange: the association is then aborted, not
    /// released, and cannot carry another operation.
    /// </summary>
    public void BeginOperation()
    {
        if (_operationUnderway)
        {
            throw new DicomNetworkException($"An earlier operation with {Peer} on this association was interrupted; open a new association.");
        }

        _operationUnderway = true;
    }

    public void EndOperation() => _operationUnderway = false;

    public ushort NextMessageId() => ++_nextMessageId == 0 ? ++_nextMessageId : _nextMessageId;

    public NegotiatedContext RequireContext(string abstractSyntax, string what, DicomTransferSyntax? preferred = null) =>
        Channel.FindContext(abstractSyntax, preferred)
        ?? throw new NoPresentationContextException($"{Peer} accepted the association but not {what} ({abstractSyntax}): check that the PACS allows this service for our AE title.");

    public Task SendAsync(NegotiatedContext context, DimseCommand command, DatasetSource? dataset, CancellationToken cancellationToken) =>
        Channel.SendMessageAsync(context.Id, command, dataset, cancellationToken);

    /// <summary>The next message, within the DIMSE timeout; a release or closed connection here is an error.</summary>
    public Task<DimseMessage> ReceiveAsync(string waitingFor, CancellationToken cancellationToken) =>
        ReceiveAsync(waitingFor, _options.DimseTimeout, cancellationToken);

    /// <summary>The next message within <paramref name="timeout"/> (null: no limit).</summary>
    public async Task<DimseMessage> ReceiveAsync(string waitingFor, TimeSpan? timeout, CancellationToken cancellationToken) =>
        await Channel.ReceiveMessageAsync(timeout, cancellationToken).ConfigureAwait(false)
        ?? throw new DicomNetworkException($"{Peer} ended the association while we waited for {waitingFor}.");

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_operationUnderway)
            {
                await Channel.AbortAsync(AbortSource.ServiceUser, AbortReason.NotSpecified).ConfigureAwait(false);
            }
            else if (Channel.State == AssociationState.Established)
            {
                using var timeout = new CancellationTokenSource(_options.AssociationTimeout);
                await Channel.ReleaseAsync(timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is DicomNetworkException or IOException or OperationCanceledException or TimeoutException)
        {
            await Channel.AbortAsync(AbortSource.ServiceUser, AbortReason.NotSpecified).ConfigureAwait(false);
        }
        finally
        {
            await Channel.DisposeAsync().ConfigureAwait(false);
            _lease.Dispose();
        }
    }

    private static async Task<Stream> ConnectAsync(DicomClientOptions options, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            SocketTuning.Apply(socket);
            using (var timeout = new CancellationTokenSource(options.ConnectTimeout, timeProvider))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken))
            {
                try
                {
                    await socket.ConnectAsync(options.Host, options.Port, linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"{options.Describe()} did not accept a connection within {options.ConnectTimeout.TotalSeconds:0.#} s (is the host reachable and the port right?).");
                }
                catch (SocketException ex)
                {
                    throw new SocketException((int)ex.SocketErrorCode, $"Cannot connect to {options.Describe()}: {ex.Message}");
                }
            }

            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (options.Tls is { } tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false, tls.Validator(certificateRequired: true));
                using var handshake = new CancellationTokenSource(options.AssociationTimeout, timeProvider);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(handshake.Token, cancellationToken);
                try
                {
                    await ssl.AuthenticateAsClientAsync(
                        new SslClientAuthenticationOptions
                        {
                            TargetHost = tls.TargetHost ?? options.Host,
                            ClientCertificates = tls.Certificate is null ? null : [tls.Certificate],
                        },
                        linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (handshake.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"{options.Describe()} accepted the connection but did not complete the TLS handshake within {options.AssociationTimeout.TotalSeconds:0.#} s (is TLS on at that port?).");
                }

                stream = ssl;
            }

            return stream;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
