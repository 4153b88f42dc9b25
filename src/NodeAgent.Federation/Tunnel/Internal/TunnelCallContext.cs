using Grpc.Core;

namespace NodeAgent.Federation.Tunnel.Internal;

/// <summary>The call context of a request that came down the tunnel: enough for the service's handlers.</summary>
internal sealed class TunnelCallContext(string method, DateTime deadline, CancellationToken cancellationToken) : ServerCallContext
{
    private readonly Metadata _trailers = [];

    protected override string MethodCore => method;

    protected override string HostCore => "tunnel";

    protected override string PeerCore => "tunnel";

    protected override DateTime DeadlineCore => deadline;

    protected override Metadata RequestHeadersCore { get; } = [];

    protected override CancellationToken CancellationTokenCore => cancellationToken;

    protected override Metadata ResponseTrailersCore => _trailers;

    protected override Status StatusCore { get; set; }

    protected override WriteOptions? WriteOptionsCore { get; set; }

    protected override AuthContext AuthContextCore { get; } = new(null, []);

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException("Tunnelled calls do not propagate.");

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}
