using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using NodeAgent.Dicom.Network.Server;

namespace NodeAgent.Testing;

/// <summary>Records our server's log events, to count the associations it accepted and to show what went wrong.</summary>
public sealed class ServerEventLog : ILogger<DicomServer>
{
    /// <summary>ServerLog.AssociationAccepted.</summary>
    private const int AssociationAcceptedEvent = 1101;

    private readonly ConcurrentQueue<(int Id, string Message)> _events = new();

    public int AssociationsAccepted => _events.Count(e => e.Id == AssociationAcceptedEvent);

    public string Text => string.Join('\n', _events.Select(e => $"[{e.Id}] {e.Message}"));

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        _events.Enqueue((eventId.Id, formatter(state, exception)));
    }

    public override string ToString() => Text;
}
