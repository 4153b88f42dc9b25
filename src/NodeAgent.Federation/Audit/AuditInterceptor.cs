using Grpc.Core;
using Grpc.Core.Interceptors;
using NodeAgent.Federation.Security;
using NodeAgent.Federation.Service;
using NodeAgent.Federation.V1;

namespace NodeAgent.Federation.Audit;

/// <summary>
/// Writes every federation call to the audit log: who asked, what (the canonical query's hash), and
/// what was released or why it was refused. The line is written before the answer leaves the node.
/// Runs outside <see cref="RequesterInterceptor"/>, so that refusals of callers (no certificate, not
/// on the list, without the role, over the rate) are audited too.
/// </summary>
public sealed class AuditInterceptor(AuditLog log, TimeProvider time) : Interceptor
{
    // A histogram of thousands of models is recorded by its first cells and its size: lines stay short.
    private const int MaxCells = 200;

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        ArgumentNullException.ThrowIfNull(context);
        var method = context.Method[(context.Method.LastIndexOf('/') + 1)..];
        var started = time.GetTimestamp();
        TResponse response;
        try
        {
            response = await continuation(request, context).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            await log.RecordAsync(new AuditEntry(time.GetUtcNow(), Who(context), method, null, "refused: " + e.StatusCode, null)).ConfigureAwait(false);
            FederationTelemetry.Record(method, "direct", "refused: " + e.StatusCode, time.GetElapsedTime(started));
            throw;
        }

        var (hash, released) = Released(response);
        await log.RecordAsync(new AuditEntry(time.GetUtcNow(), Who(context), method, hash, "answered", released)).ConfigureAwait(false);
        FederationTelemetry.Record(method, "direct", "answered", time.GetElapsedTime(started));
        return response;
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        ArgumentNullException.ThrowIfNull(context);
        var method = context.Method[(context.Method.LastIndexOf('/') + 1)..];
        var started = time.GetTimestamp();

        // The release is audited before its first message leaves (a search leaves its release in the
        // call's state before writing); a stream that fails later is a second line.
        var writer = new AuditedStreamWriter<TResponse>(responseStream, () =>
        {
            var (hash, released) = Released(context.UserState.TryGetValue(NodeFederationService.SearchReleaseKey, out var search) ? search : null);
            return log.RecordAsync(new AuditEntry(time.GetUtcNow(), Who(context), method, hash, "answered", released));
        });
        string? outcome = null;
        try
        {
            await continuation(request, writer, context).ConfigureAwait(false);
            await writer.AuditNowAsync().ConfigureAwait(false);
            outcome = "answered";
        }
        catch (RpcException e)
        {
            outcome = "refused: " + e.StatusCode;
            await log.RecordAsync(new AuditEntry(time.GetUtcNow(), Who(context), method, null, writer.Audited ? "stream failed: " + e.StatusCode : outcome, null)).ConfigureAwait(false);
            throw;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The caller went away mid-stream: what had left is in the line written before it.
            outcome = "cancelled";
            await log.RecordAsync(new AuditEntry(time.GetUtcNow(), Who(context), method, null, (writer.Audited ? "stream failed: " : "cancelled: ") + e.GetType().Name, null)).ConfigureAwait(false);
            throw;
        }
        finally
        {
            FederationTelemetry.Record(method, "direct", outcome ?? "failed", time.GetElapsedTime(started));
        }
    }

    /// <summary>Writes the audit line once, before the first message, then passes messages through.</summary>
    private sealed class AuditedStreamWriter<T>(IServerStreamWriter<T> inner, Func<Task> audit) : IServerStreamWriter<T>
    {
        public bool Audited { get; private set; }

        public WriteOptions? WriteOptions
        {
            get => inner.WriteOptions;
            set => inner.WriteOptions = value;
        }

        public async Task AuditNowAsync()
        {
            if (!Audited)
            {
                await audit().ConfigureAwait(false);
                Audited = true;
            }
        }

        public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

        public async Task WriteAsync(T message, CancellationToken cancellationToken)
        {
            await AuditNowAsync().ConfigureAwait(false);
            await inner.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
    }

    // Refusals of callers that were never admitted are audited too, without a name to give.
    private static string Who(ServerCallContext context) => RequesterInterceptor.TryOf(context)?.Name ?? "(not admitted)";

    internal static (string? Hash, IReadOnlyDictionary<string, string>? Released) Released(object? response) => response switch
    {
        CountResponse c => (c.QueryHash, new Dictionary<string, string>
        {
            ["patients"] = Text(c.Patients),
            ["studies"] = Text(c.Studies),
            ["series"] = Text(c.Series),
            ["instances"] = Text(c.Instances),
        }),
        FacetsResponse f => (f.QueryHash, f.Cells.Take(MaxCells).ToDictionary(cell => $"{f.Field}={cell.Value}", cell => Text(cell.Count))
            .Append(new KeyValuePair<string, string>("withheld cells", f.Disclosure.SuppressedCells.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .Append(new KeyValuePair<string, string>("cells", f.Cells.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .ToDictionary()),
        SearchResults s => (s.Summary.QueryHash, new Dictionary<string, string>
        {
            ["studies"] = Text(s.Summary.Studies),
            ["descriptors"] = s.Studies.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["truncated"] = s.Summary.Truncated ? "yes" : "no",
            // Which pseudonyms left, as one digest: enough to confirm a claimed release, nothing to read off.
            ["study keys sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(string.Join(',', s.Studies.Select(d => d.StudyKey))))),
        }),
        _ => (null, null),
    };

    private static string Text(ReleasedCount count) => count.ValueCase switch
    {
        ReleasedCount.ValueOneofCase.Count => count.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ReleasedCount.ValueOneofCase.FewerThan => "<" + count.FewerThan.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "withheld",
    };
}
