using System.Collections.Concurrent;
using System.Net;

namespace NodeAgent.Tests.Cli;

/// <summary>
/// A collector's OTLP/HTTP endpoint on 127.0.0.1, for a test: it accepts what is posted to
/// <c>/v1/traces</c>, <c>/v1/metrics</c> and <c>/v1/logs</c> and keeps the bodies (protobuf, whose
/// strings are plain UTF-8: a test can search them).
/// </summary>
internal sealed class OtlpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public OtlpReceiver()
    {
        Port = NodeAgent.Testing.Peers.FreeTcpPort.Pick();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    /// <summary>Bodies received, by path.</summary>
    public ConcurrentDictionary<string, ConcurrentQueue<byte[]>> Received { get; } = new(StringComparer.Ordinal);

    /// <summary>All bodies received on <paramref name="path"/>, as text (Latin-1: every byte kept).</summary>
    public string Text(string path) =>
        Received.TryGetValue(path, out var bodies) ? string.Concat(bodies.Select(b => System.Text.Encoding.Latin1.GetString(b))) : "";

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The listener closed under a pending accept.
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            Received.GetOrAdd(context.Request.Url!.AbsolutePath, _ => new ConcurrentQueue<byte[]>()).Enqueue(body.ToArray());

            // An empty Export*ServiceResponse: all accepted.
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }
}
