using System.Net.Sockets;

namespace NodeAgent.Dicom.Network.Associations.Internal;

/// <summary>Socket options every DICOM connection gets, ours or accepted.</summary>
internal static class SocketTuning
{
    /// <summary>
    /// No Nagle delay (a DIMSE exchange is small request, small answer); TCP keep-alive so that a
    /// peer that vanished (a powered-off modality, a dropped VPN) is noticed within minutes even on
    /// an association waiting with no timer, such as a long C-MOVE.
    /// </summary>
    public static void Apply(Socket socket)
    {
        socket.NoDelay = true;
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, 60);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, 10);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 6);
        }
        catch (SocketException)
        {
            // Older systems without per-socket keep-alive timing use the system's (two hours on Linux).
        }
    }
}
