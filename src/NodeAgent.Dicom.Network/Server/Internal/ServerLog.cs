using Microsoft.Extensions.Logging;

namespace NodeAgent.Dicom.Network.Server.Internal;

/// <summary>The DICOM service provider's log events: AE titles, addresses and counts, never element values.</summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "DICOM listener on {Address} port {Port} as {AeTitle}")]
    public static partial void Listening(ILogger logger, System.Net.IPAddress address, int port, string aeTitle);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Association from {CallingAe} at {Remote} accepted ({Accepted} of {Proposed} presentation contexts)")]
    public static partial void AssociationAccepted(ILogger logger, string callingAe, string remote, int accepted, int proposed);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Association from {CallingAe} at {Remote} rejected: {Reason}")]
    public static partial void AssociationRejected(ILogger logger, string callingAe, string remote, string reason);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Association from {CallingAe} at {Remote} failed: {Problem}")]
    public static partial void AssociationFailed(ILogger logger, string callingAe, string remote, string problem);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Connection from {Remote} failed before an association: {Problem}")]
    public static partial void ConnectionFailed(ILogger logger, string remote, string problem);

    // Exception messages are left out of every event: a handler's or a file system's message may
    // carry a patient's name or a UID. The type and the stack trace say where it went wrong.
    [LoggerMessage(EventId = 1106, Level = LogLevel.Error, Message = "Serving {Remote} failed unexpectedly ({ErrorType}); the service goes on. At: {StackTrace}")]
    public static partial void ConnectionCrashed(ILogger logger, string remote, string errorType, string stackTrace);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Error, Message = "Association from {CallingAe} at {Remote} failed unexpectedly ({ErrorType}) and was aborted. At: {StackTrace}")]
    public static partial void AssociationCrashed(ILogger logger, string callingAe, string remote, string errorType, string stackTrace);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Error, Message = "The {Service} handler failed for {CallingAe} ({ErrorType}); a failure status was sent")]
    public static partial void HandlerFailed(ILogger logger, string service, string callingAe, string errorType);

    [LoggerMessage(EventId = 1108, Level = LogLevel.Error, Message = "Accepting connections failed ({Error}); trying again in {DelaySeconds} s")]
    public static partial void AcceptFailed(ILogger logger, string error, double delaySeconds);
}
