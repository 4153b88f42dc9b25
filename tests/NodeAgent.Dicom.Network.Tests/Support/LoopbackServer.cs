using Microsoft.Extensions.DependencyInjection;
using NodeAgent.Dicom.Network.Server;

namespace NodeAgent.Dicom.Network.Tests.Support;

/// <summary>Our own DICOM server on 127.0.0.1 with a free port and the given handlers.</summary>
internal static class LoopbackServer
{
    /// <summary>Starts on <paramref name="port"/>, or a free port when 0.</summary>
    public static DicomServer Start(Action<IServiceCollection>? handlers = null, DicomServerOptions? options = null, TimeProvider? timeProvider = null, int port = 0, Microsoft.Extensions.Logging.ILogger<DicomServer>? logger = null)
    {
        var services = new ServiceCollection();
        handlers?.Invoke(services);
        var server = new DicomServer((options ?? new DicomServerOptions()) with { Port = port, BindAddress = System.Net.IPAddress.Loopback }, services.BuildServiceProvider(), logger, timeProvider);
        server.Start();
        return server;
    }
}
