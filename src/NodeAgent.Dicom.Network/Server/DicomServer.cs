using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NodeAgent.Dicom.Network.Associations.Internal;
using NodeAgent.Dicom.Network.Server.Internal;

namespace NodeAgent.Dicom.Network.Server;

/// <summary>
/// The DICOM service provider: listens (loopback unless configured), accepts associations and serves
/// C-ECHO, C-STORE (with an <see cref="Storage.IDicomStoreHandler"/>) and C-FIND (with an
/// <see cref="IDicomFindHandler"/>), the handlers resolved from the service provider per association.
/// </summary>
public sealed class DicomServer : IAsyncDisposable
{
    private readonly DicomServerOptions _options;
    private readonly IServiceProvider _services;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<Task> _connections = [];
    private readonly Lock _connectionsLock = new();
    private Socket? _listener;
    private Task? _acceptLoop;
    private volatile bool _stoppingListener;
    private int _active;

    public DicomServer(DicomServerOptions options, IServiceProvider services, ILogger<DicomServer>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(services);
        _options = options;
        _services = services;
        _logger = logger ?? NullLogger<DicomServer>.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The port listened on (the one picked by the system when 0 was asked for).</summary>
    public int Port { get; private set; }

    /// <summary>Associations being served now.</summary>
    public int ActiveAssociations => Volatile.Read(ref _active);

    public void Start()
    {
        if (_listener is not null)
        {
            throw new InvalidOperationException("The DICOM listener is already started.");
        }

        var listener = new Socket(_options.BindAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(_options.BindAddress, _options.Port));
            listener.Listen(128);
        }
        catch (SocketException ex)
        {
            listener.Dispose();
            throw new DicomNetworkException($"Cannot listen on {_options.BindAddress}:{_options.Port}: {ex.Message} (is the port in use, or below 1024 without privileges?)", ex);
        }

        _listener = listener;
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        ServerLog.Listening(_logger, _options.BindAddress, Port, _options.AeTitle);
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Stops listening, lets associations in progress end (up to the timeout), then aborts the rest.</summary>
    public async Task StopAsync(TimeSpan? grace = null)
    {
        _stoppingListener = true;
        _listener?.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        Task[] running;
        lock (_connectionsLock)
        {
            running = [.. _connections];
        }

        var all = Task.WhenAll(running);
        if (await Task.WhenAny(all, Task.Delay(grace ?? TimeSpan.FromSeconds(10), _timeProvider)).ConfigureAwait(false) != all)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            await all.ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.Zero).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener!.AcceptAsync().ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(100);
            }
            catch (Exception ex) when (ex is ObjectDisposedException || (ex is SocketException && _stoppingListener))
            {
                return;
            }
            catch (SocketException ex)
            {
                // Out of file descriptors, out of memory: the port stays ours, so keep accepting once it passes.
                ServerLog.AcceptFailed(_logger, ex.SocketErrorCode.ToString(), delay.TotalSeconds);
                await Task.Delay(delay, _timeProvider).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
                continue;
            }

            var task = ServeConnectionAsync(socket);
            lock (_connectionsLock)
            {
                _connections.Add(task);
            }

            _ = task.ContinueWith(
                t =>
                {
                    lock (_connectionsLock)
                    {
                        _connections.Remove(t);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private async Task ServeConnectionAsync(Socket socket)
    {
        await Task.Yield();
        var remote = socket.RemoteEndPoint?.ToString() ?? "unknown";
        var overLimit = Interlocked.Increment(ref _active) > _options.MaxAssociations;
        try
        {
            SocketTuning.Apply(socket);
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (_options.Tls is { } tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false, tls.Validator(tls.RequireClientCertificate));
                using var handshake = new CancellationTokenSource(_options.AssociationTimeout, _timeProvider);
                await ssl.AuthenticateAsServerAsync(
                    new SslServerAuthenticationOptions
                    {
                        ServerCertificate = tls.Certificate ?? throw new DicomNetworkException("TLS is on but no server certificate is configured."),
                        ClientCertificateRequired = tls.RequireClientCertificate,
                    },
                    handshake.Token).ConfigureAwait(false);
                stream = ssl;
            }

            await new AssociationAcceptor(_options, _services, _logger, _timeProvider).ServeAsync(stream, remote, overLimit, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DicomNetworkException or IOException or TimeoutException or OperationCanceledException or System.Security.Authentication.AuthenticationException or SocketException)
        {
            ServerLog.ConnectionFailed(_logger, remote, ex.Message);
            socket.Dispose();
        }
#pragma warning disable CA1031 // One association's unexpected failure (a handler's bug) must never stop the service.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            ServerLog.ConnectionCrashed(_logger, remote, ex.GetType().Name, ex.StackTrace ?? "");
            socket.Dispose();
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }
}
