using Grpc.Core;
using Grpc.Core.Interceptors;
using NodeAgent.Federation.Security;
using NodeAgent.Federation.V1;

namespace NodeAgent.Federation.Audit;

/// <summary>
/// Writes every federation call to the audit log: who asked, what (the canonical query's hash), and
/// what was released or why it was refused. The line is written before the answer leaves the node.
/// Runs inside <see cref="RequesterInterceptor"/>, so refusals of unknown callers are logged by that
/// one's log lines and the calls audited here are those of admitted requesters.
/// </summary>
public sealed class AuditInterceptor(AuditLog log, TimeProvider time) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        ArgumentNullException.ThrowIfNull(context);
        var method = context.Method[(context.Method.LastIndexOf('/') + 1)..];
        TResponse response;
        try
        {
            response = await continuation(request, context).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            log.Record(new AuditEntry(time.GetUtcNow(), RequesterInterceptor.Of(context).Name, method, null, "refused: " + e.StatusCode, null));
            throw;
        }

        var (hash, released) = Released(response);
        log.Record(new AuditEntry(time.GetUtcNow(), RequesterInterceptor.Of(context).Name, method, hash, "answered", released));
        return response;
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        ArgumentNullException.ThrowIfNull(context);
        var method = context.Method[(context.Method.LastIndexOf('/') + 1)..];
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            log.Record(new AuditEntry(time.GetUtcNow(), RequesterInterceptor.Of(context).Name, method, null, "refused: " + e.StatusCode, null));
            throw;
        }

        log.Record(new AuditEntry(time.GetUtcNow(), RequesterInterceptor.Of(context).Name, method, null, "answered", null));
    }

    private static (string? Hash, IReadOnlyDictionary<string, string>? Released) Released(object? response) => response switch
    {
        CountResponse c => (c.QueryHash, new Dictionary<string, string>
        {
            ["patients"] = Text(c.Patients),
            ["studies"] = Text(c.Studies),
            ["series"] = Text(c.Series),
            ["instances"] = Text(c.Instances),
        }),
        FacetsResponse f => (f.QueryHash, f.Cells.ToDictionary(cell => $"{f.Field}={cell.Value}", cell => cell.Suppressed ? "withheld" : Text(cell.Count))),
        _ => (null, null),
    };

    private static string Text(ReleasedCount count) => count.ValueCase switch
    {
        ReleasedCount.ValueOneofCase.Count => count.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ReleasedCount.ValueOneofCase.FewerThan => "<" + count.FewerThan.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "withheld",
    };
}
