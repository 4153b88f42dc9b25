using System.Net;
using System.Net.Sockets;

namespace NodeAgent.Testing.Peers;

/// <summary>A TCP port that nothing listens on at the moment, for a peer to listen on.</summary>
public static class FreeTcpPort
{
    /// <summary>
    /// Lets the kernel choose a free port on 127.0.0.1 and releases it again. Another process can take
    /// the port before the peer binds it, so whoever starts the peer must retry on "address in use".
    /// </summary>
    public static int Pick()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        // Exclusive so that a port someone else holds with SO_REUSEADDR is never handed out.
        socket.ExclusiveAddressUse = true;
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
