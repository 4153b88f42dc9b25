using System.Buffers.Binary;
using System.Globalization;
using System.Net;

namespace NodeAgent.Testing.Peers;

/// <summary>
/// The TCP endpoints a process listens on, read from /proc (Linux). This is how we know that a peer
/// is ready and that the listener on its port is really its own (a TCP connect cannot tell: another
/// server may own the port, and poking a DICOM peer with a bare connect makes it log an error), and
/// that every listener is on loopback.
/// </summary>
public static class ProcessListeners
{
    private const string ListenState = "0A";

    /// <summary>The local endpoints of the process's sockets in state LISTEN; empty if the process is gone.</summary>
    public static IReadOnlyList<IPEndPoint> Of(int pid)
    {
        var inodes = SocketInodes(pid);
        if (inodes.Count == 0)
        {
            return [];
        }

        var listeners = new List<IPEndPoint>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 9 && fields[3] == ListenState && inodes.Contains(fields[9]))
                {
                    listeners.Add(ParseEndpoint(fields[1]));
                }
            }
        }

        return listeners;
    }

    /// <summary>Whether the process itself listens on this TCP port (any address).</summary>
    public static bool ListensOn(int pid, int port) => Of(pid).Any(e => e.Port == port);

    private static HashSet<string> SocketInodes(int pid)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                var target = new FileInfo(fd).LinkTarget;
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
                {
                    inodes.Add(target["socket:[".Length..^1]);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The process exited while we looked, or an fd closed between listing and reading it.
        }

        return inodes;
    }

    /// <summary>"0100007F:2B67" or a 32-digit IPv6 address: each 32-bit word is printed in host byte order.</summary>
    private static IPEndPoint ParseEndpoint(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var hex = text[..colon];
        var port = int.Parse(text[(colon + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var bytes = new byte[hex.Length / 2];
        for (var word = 0; word < hex.Length / 8; word++)
        {
            var value = uint.Parse(hex.AsSpan(word * 8, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (BitConverter.IsLittleEndian)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(word * 4), value);
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(word * 4), value);
            }
        }

        return new IPEndPoint(new IPAddress(bytes), port);
    }
}
