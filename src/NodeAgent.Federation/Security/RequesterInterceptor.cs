using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace NodeAgent.Federation.Security;

/// <summary>
/// Who is asking, and may they: the caller's client certificate (already verified against the CA
/// bundle in the handshake) is looked up in the allow-list, and the method's role checked. A caller
/// not on the list is refused with PERMISSION_DENIED, one without a certificate with UNAUTHENTICATED;
/// node info is open to every admitted requester. The requester is left in the call's user state for
/// the audit log and the privacy ledger.
/// </summary>
public sealed partial class RequesterInterceptor(ILogger<RequesterInterceptor> logger, RequesterAllowList? allowList = null, RequesterRateLimiter? rateLimiter = null) : Interceptor
{
    public const string UserStateKey = "nodeagent.requester";

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Admit(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Admit(context);
        return continuation(request, responseStream, context);
    }

    /// <summary>The requester of a call admitted by this interceptor; null when none was (fail closed).</summary>
    public static Requester? TryOf(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.UserState.TryGetValue(UserStateKey, out var value) && value is Requester requester ? requester : null;
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Admit(context);
        return continuation(requestStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Admit(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Admit(ServerCallContext context)
    {
        Requester requester;
        if (allowList is null)
        {
            // Development: plain text on loopback, one implicit requester.
            requester = Requester.Development;
        }
        else
        {
            var certificate = context.GetHttpContext().Connection.ClientCertificate;
            if (certificate is null)
            {
                LogRefused(logger, context.Method, "no client certificate");
                throw new RpcException(new Status(StatusCode.Unauthenticated, "A client certificate is required."));
            }

            requester = allowList.Identify(certificate) ?? throw Refuse(context, "certificate not on the allow-list", "This client certificate is not among the site's allowed requesters.");
        }

        var role = RoleOf(context.Method);
        if (role is not null && !requester.May(role))
        {
            throw Refuse(context, $"requester {requester.Name} lacks the role {role}", $"Requester '{requester.Name}' may not ask for {role} at this site.");
        }

        if (rateLimiter is not null && !rateLimiter.TryAcquire(requester.Name))
        {
            LogRefused(logger, context.Method, $"requester {requester.Name} over its rate limit");
            throw new RpcException(new Status(StatusCode.ResourceExhausted, $"Requester '{requester.Name}' is over this site's rate limit; retry shortly."));
        }

        context.UserState[UserStateKey] = requester;
    }

    private RpcException Refuse(ServerCallContext context, string reason, string message)
    {
        LogRefused(logger, context.Method, reason);
        return new RpcException(new Status(StatusCode.PermissionDenied, message));
    }

    private static string? RoleOf(string method) => method[(method.LastIndexOf('/') + 1)..] switch
    {
        "Count" => FederationRoles.Count,
        "Facets" => FederationRoles.Facets,
        "Search" => FederationRoles.Search,
        _ => null, // node info, health, reflection: any admitted requester
    };

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Refused {Method}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string method, string reason);
}
