using System.Net;
using System.Net.Sockets;
using NodeAgent.Dicom.Network.Pdus;

namespace NodeAgent.Dicom.Network.Tests.Support;

/// <summary>
/// A fake DICOM peer on 127.0.0.1 driven step by step by a test: it reads and sends PDUs (or raw
/// bytes) exactly as scripted, to provoke the failures a real PACS rarely shows on demand.
/// </summary>
internal sealed class ScriptedPeer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private TcpClient? _client;
    private NetworkStream? _stream;
    private PduReader? _reader;

    private ScriptedPeer(TcpListener listener) => _listener = listener;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static ScriptedPeer Listen()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new ScriptedPeer(listener);
    }

    /// <summary>Connects as a client to a server under test.</summary>
    public static async Task<ScriptedPeer> ConnectAsync(int port)
    {
        var peer = new ScriptedPeer(new TcpListener(IPAddress.Loopback, 0));
        peer._client = new TcpClient { NoDelay = true };
        await peer._client.ConnectAsync(IPAddress.Loopback, port);
        peer._stream = peer._client.GetStream();
        peer._reader = new PduReader(peer._stream, 0);
        return peer;
    }

    public async Task AcceptAsync()
    {
        _client = await _listener.AcceptTcpClientAsync();
        _client.NoDelay = true;
        _stream = _client.GetStream();
        _reader = new PduReader(_stream, 0);
    }

    public async Task<Pdu?> ReadAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        return await _reader!.ReadAsync(cts.Token);
    }

    public async Task<T> ReadAsync<T>()
        where T : Pdu
    {
        var pdu = await ReadAsync();
        Assert.That(pdu, Is.InstanceOf<T>(), $"the scripted peer expected a {typeof(T).Name}");
        return (T)pdu!;
    }

    public Task SendAsync(Pdu pdu) => SendRawAsync(PduCodec.Encode(pdu));

    public async Task SendRawAsync(byte[] bytes)
    {
        await _stream!.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>True when the other side closed the connection within the timeout.</summary>
    public async Task<bool> ClosedByOtherSideAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[1024];
        try
        {
            while (true)
            {
                if (await _stream!.ReadAsync(buffer, cts.Token) == 0)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>Accepts an association request with every proposed context in its first transfer syntax.</summary>
    public async Task<AssociateRequestPdu> AcceptAssociationAsync()
    {
        var request = await ReadAsync<AssociateRequestPdu>();
        var results = request.PresentationContexts.Select(p => new PresentationContextResult(p.Id, PresentationContextResultCode.Acceptance, p.TransferSyntaxes[0])).ToList();
        await SendAsync(new AssociateAcceptPdu(request.CalledAeTitle, request.CallingAeTitle, results, new UserInformation()));
        return request;
    }

    public async ValueTask DisposeAsync()
    {
        _reader?.Dispose();
        _client?.Dispose();
        _listener.Stop();
        await Task.CompletedTask;
    }
}
