using Microsoft.Extensions.DependencyInjection;
using NodeAgent.Dicom.Network.Server;

namespace NodeAgent.Dicom.Network.Tests.Support;

/// <summary>Our own DICOM server on 127.0.0.1 with a free port and the given handlers.</summary>
internal static class LoopbackServer
{
    public static DicomServer Start(Action<IServiceCollection>? handlers = null, DicomServerOptions? options = null, TimeProvider? timeProvider = null)
    {
        var services = new ServiceCollection();
        handlers?.Invoke(services);
        var server = new DicomServer((options ?? new DicomServerOptions()) with { Port = 0, BindAddress = System.Net.IPAddress.Loopback }, services.BuildServiceProvider(), timeProvider: timeProvider);
        server.Start();
        return server;
    }
}
