using System.Net.Sockets;
using System.Security.Authentication;
using NodeAgent.Dicom;

namespace NodeAgent.Cli.Internal;

/// <summary>Turns the errors a command can meet into one line a hospital's IT person can act on, and exit code 1.</summary>
internal static class CliFailure
{
    public static async Task<int> RunAsync(string command, TextWriter error, Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (Exception ex) when (Describe(ex) is { } message)
        {
            await error.WriteLineAsync($"nodeagent {command}: {message}").ConfigureAwait(false);
            return 1;
        }
    }

    public static string? Describe(Exception ex) => ex switch
    {
        SocketException s when s.SocketErrorCode == SocketError.ConnectionRefused => $"{s.Message} The connection was refused: nothing listens on that port (is the PACS running, is the port right?).",
        SocketException s when s.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData => $"{s.Message} The host name is not known (check --host).",
        SocketException s => s.Message,
        AuthenticationException a => $"TLS handshake failed: {a.Message} (check the certificates, and that the PACS expects TLS on this port).",
        TimeoutException t => t.Message,
        DicomException d => d.Message,
        NodeAgent.Pseudonymisation.Profiles.ProfileException p => p.Message,
        NodeAgent.Pseudonymisation.Keys.SiteSecretException s => s.Message,
        NodeAgent.Index.Catalogue.CatalogueException c => c.Message,
        NodeAgent.Service.Configuration.ConfigurationProblemException c => c.Message,
        NodeAgent.Federation.Audit.AuditException a => a.Message,
        IOException io => io.Message,
        UnauthorizedAccessException u => $"Permission denied: {u.Message}",
        FormatException f => f.Message,
        ArgumentException a => a.Message,
        _ => null,
    };
}
