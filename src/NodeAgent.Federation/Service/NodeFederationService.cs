using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using NodeAgent.Federation.Disclosure;
using NodeAgent.Federation.Queries;
using NodeAgent.Federation.Security;
using NodeAgent.Federation.V1;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Counting;

namespace NodeAgent.Federation.Service;

/// <summary>
/// The node's side of <c>nodeagent.federation.v1.NodeFederation</c>: queries checked against the
/// allow-list (refused with INVALID_ARGUMENT and a BadRequest naming each problem), canonicalised,
/// counted from the in-memory engine, and released through disclosure control. Answers carry the
/// catalogue's freshness and whether disclosure control changed them. Logs carry the query's hash,
/// never its values.
/// </summary>
public sealed partial class NodeFederationService(INodeCatalogue catalogue, CountReleaser releaser, FederationOptions options, ILogger<NodeFederationService> logger, PrivacyLedger? ledger = null, DescriptorReleaser? descriptors = null) : NodeFederation.NodeFederationBase
{
    private const int MaxViolations = 20;

    private static readonly string Version = typeof(NodeFederationService).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public override Task<CountResponse> Count(CountRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        RefuseUnknownFields(request);
        var query = Canonical(request.Query);
        var engine = catalogue.Engine;

        // Four numbers are released, each with its own noise: four times epsilon. The noise is drawn
        // for this data: after the catalogue changes the same query is a new release, and is charged.
        Charge(context, $"count|{query.Hash}|{engine.Fingerprint:x16}", 4 * releaser.Policy.Epsilon);
        var result = engine.Count(query.Criterion);

        // A cohort of fewer patients than the threshold is withheld whole: its series or instance
        // counts would tell that it exists.
        var smallCohort = result.Patients < releaser.Policy.Threshold;
        ReleasedCount Release(long value, string level) =>
            smallCohort ? new ReleasedCount { FewerThan = releaser.Policy.Threshold } : releaser.Release(value, query.Hash, engine.Fingerprint, level).Released;

        var response = new CountResponse
        {
            Patients = Release(result.Patients, "patients"),
            Studies = Release(result.Studies, "studies"),
            Series = Release(result.Series, "series"),
            Instances = Release(result.Instances, "instances"),
            QueryHash = query.Hash,
            Freshness = Freshness(),
        };
        response.Disclosure = Disclosure(0);
        LogAnswered(logger, "Count", query.Hash);
        return Task.FromResult(response);
    }

    public override Task<FacetsResponse> Facets(FacetsRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!options.FacetsEnabled)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.PermissionDenied, "Facets are off by this site's policy."));
        }

        RefuseUnknownFields(request);
        var field = FederationFields.Find(request.Field);
        if (field is not { Facets: true })
        {
            throw Invalid([new QueryViolation("field", $"'{QueryTranslator.Shorten(request.Field)}' is not a field for facets; they are {string.Join(", ", FederationFields.All.Where(f => f.Facets).Select(f => f.Name))}")]);
        }

        if (!System.Enum.IsDefined(request.Level))
        {
            throw Invalid([new QueryViolation("level", "the level is LEVEL_PATIENTS, LEVEL_STUDIES, LEVEL_SERIES or LEVEL_INSTANCES")]);
        }

        var query = Canonical(request.Query);
        var level = request.Level == Level.Unspecified ? Level.Studies : request.Level;
        var engine = catalogue.Engine;

        // The cells are disjoint: one epsilon for the whole histogram, for this data.
        Charge(context, $"facets|{field.Name}|{level}|{query.Hash}|{engine.Fingerprint:x16}", releaser.Policy.Epsilon);
        var cells = engine.Facets(field.Field, query.Criterion).Select(c => (c.Value, At(c.Count, level))).ToList();
        var (released, suppressed) = FacetReleaser.Release(releaser, cells, query.Hash, engine.Fingerprint, $"{field.Name}|{level}");
        var response = new FacetsResponse { Field = field.Name, Level = level, QueryHash = query.Hash, Freshness = Freshness() };
        response.Cells.AddRange(released);
        response.Disclosure = Disclosure(suppressed);
        LogAnswered(logger, "Facets", query.Hash);
        return Task.FromResult(response);
    }

    /// <summary>The key under which a search's release is left in the call's user state, for the audit line.</summary>
    public const string SearchReleaseKey = "nodeagent.search-release";

    public override async Task Search(SearchRequest request, IServerStreamWriter<SearchResponse> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(responseStream);
        var results = await SearchAll(request, context).ConfigureAwait(false);
        await responseStream.WriteAsync(new SearchResponse { Summary = results.Summary }, context.CancellationToken).ConfigureAwait(false);
        foreach (var study in results.Studies)
        {
            await responseStream.WriteAsync(new SearchResponse { Study = study }, context.CancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A whole search answer: the summary and the descriptors released. Only for a cohort of at least
    /// the threshold of patients; the matching studies are released as Count releases them (the same
    /// noise cell), never as the number of descriptors.
    /// </summary>
    public Task<SearchResults> SearchAll(SearchRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        if (!options.SearchEnabled || descriptors is null)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.PermissionDenied, "Search is off by this site's policy."));
        }

        RefuseUnknownFields(request);
        if (request.MaxResults < 0)
        {
            throw Invalid([new QueryViolation("max_results", "the most descriptors wanted is 0 (the site's maximum) or more")]);
        }

        var query = Canonical(request.Query);
        var engine = catalogue.Engine;

        // The study count in the summary is the Count's, noised in the same cell: charged as one release.
        Charge(context, $"search|{query.Hash}|{engine.Fingerprint:x16}", releaser.Policy.Epsilon);
        var result = engine.Count(query.Criterion);

        // The sample is always the site's cap: a requester who asks for fewer gets the first of the
        // same release, so varying max_results cannot bracket how many studies matched.
        var sampleSize = options.SearchMaxResults;
        var wanted = request.MaxResults == 0 ? sampleSize : Math.Min(request.MaxResults, sampleSize);
        var minGroup = Math.Max(1, releaser.Policy.Threshold);
        var summary = new SearchSummary { MinGroup = minGroup, MaxResults = sampleSize, QueryHash = query.Hash, Freshness = Freshness(), Disclosure = Disclosure(0) };
        var results = new SearchResults { Summary = summary };
        if (result.Patients < releaser.Policy.Threshold)
        {
            // A small cohort is withheld whole, as in Count: not one descriptor of it.
            summary.Studies = new ReleasedCount { FewerThan = releaser.Policy.Threshold };
        }
        else
        {
            summary.Studies = releaser.Release(result.Studies, query.Hash, engine.Fingerprint, "studies").Released;

            // Whether the descriptors are a sample, from the released count, not the exact one.
            summary.Truncated = summary.Studies.ValueCase == ReleasedCount.ValueOneofCase.Count && summary.Studies.Count > sampleSize;
            var requester = RequesterInterceptor.TryOf(context)?.Name ?? "";
            var released = descriptors.Release(engine, $"{requester}|{query.Hash}", engine.StudiesMatching(query.Criterion), sampleSize, minGroup, releaser.Policy.Rounding);
            results.Studies.AddRange(released.Take(wanted));
        }

        context.UserState[SearchReleaseKey] = results;
        LogAnswered(logger, "Search", query.Hash);
        return Task.FromResult(results);
    }

    public override Task<NodeInfo> GetNodeInfo(GetNodeInfoRequest request, ServerCallContext context)
    {
        var info = new NodeInfo { SiteId = options.SiteId, Version = Version, Freshness = Freshness(), Disclosure = Disclosure(0) };
        info.Capabilities.Add("count");
        if (options.FacetsEnabled)
        {
            info.Capabilities.Add("facets");
        }

        if (options.SearchEnabled)
        {
            info.Capabilities.Add("search");
        }

        info.Capabilities.Add("eucaim-ast");
        foreach (var field in FederationFields.All)
        {
            var fieldInfo = new FieldInfo { Name = field.Name, Kind = field.Kind == FieldKind.Text ? "text" : "range", Facets = field.Facets };
            fieldInfo.Values.AddRange(field.Values ?? []);
            info.Fields.Add(fieldInfo);
        }

        return Task.FromResult(info);
    }

    private void Charge(ServerCallContext context, string key, double epsilon)
    {
        if (ledger is null)
        {
            return;
        }

        // No requester admitted (no interceptor in front): nothing may be charged to nobody.
        var requester = RequesterInterceptor.TryOf(context)?.Name ?? throw new RpcException(new Grpc.Core.Status(StatusCode.PermissionDenied, "No admitted requester."));
        if (!ledger.TryCharge(requester, key, epsilon))
        {
            LogBudgetSpent(logger, requester);
            throw new RpcException(new Grpc.Core.Status(StatusCode.ResourceExhausted, $"The privacy budget of requester '{requester}' at this site is spent for this month ({ledger.Spent(requester):0.##} of {ledger.Budget:0.##}); it renews on {ledger.Renews:yyyy-MM-dd}. Queries asked before this month's budget ran out still answer."));
        }
    }

    private static long At(CountResult count, Level level) => level switch
    {
        Level.Patients => count.Patients,
        Level.Series => count.Series,
        Level.Instances => count.Instances,
        _ => count.Studies,
    };

    private static void RefuseUnknownFields<T>(T request)
        where T : Google.Protobuf.IMessage<T>, new()
    {
        if (Queries.Internal.UnknownFields.In(request))
        {
            throw Invalid([new QueryViolation("request", $"it carries fields that nodeagent.federation.v1 as this node (NodeAgent {Version}) knows it does not define; a newer hub may be asking for something this node cannot evaluate, and a query is never answered with parts of it dropped")]);
        }
    }

    private static CanonicalQuery Canonical(Query? query)
    {
        try
        {
            return CanonicalQuery.Of(QueryTranslator.Translate(query));
        }
        catch (QueryRejectedException e)
        {
            throw Invalid(e.Violations);
        }
    }

    private static RpcException Invalid(IReadOnlyList<QueryViolation> all)
    {
        // A few problems are enough to act on, and trailers stay far below HTTP header limits.
        var violations = all.Take(MaxViolations).ToList();
        var badRequest = new BadRequest();
        badRequest.FieldViolations.AddRange(violations.Select(v => new BadRequest.Types.FieldViolation { Field = v.Path, Description = v.Description }));
        var status = new Google.Rpc.Status
        {
            Code = (int)Code.InvalidArgument,
            Message = "The query cannot be evaluated as asked: " + string.Join("; ", violations.Select(v => $"{v.Path}: {v.Description}")),
            Details = { Any.Pack(badRequest) },
        };
        return status.ToRpcException();
    }

    private Freshness Freshness()
    {
        var freshness = new Freshness { CatalogueBuilt = Timestamp.FromDateTimeOffset(catalogue.BuiltAt) };
        foreach (var source in catalogue.Sources())
        {
            freshness.Sources.Add(Describe(source));
        }

        return freshness;
    }

    private static SourceFreshness Describe(SourceState s)
    {
        // Names and kinds only: a source's location (host, folder) stays in the hospital.
        var freshness = new SourceFreshness
        {
            Name = s.Id,
            Kind = s.Kind,
            // Coverage as a whole percentage, never the numbers: a small source's study count is itself a count.
            CoveragePercent = s.StudiesSeen == 0 ? 0 : (int)Math.Floor(100.0 * Math.Min(s.StudiesIndexed, s.StudiesSeen) / s.StudiesSeen),
            FullSyncUnderWay = s.FullPass is not null,
            LastSyncFailed = s.ConsecutiveFailures > 0,
        };
        if (s.LastSuccessfulSync is { } last)
        {
            freshness.LastSuccessfulSync = Timestamp.FromDateTime(DateTime.SpecifyKind(last, DateTimeKind.Utc));
        }

        if (s.LastFullSync is { } full)
        {
            freshness.LastFullSync = Timestamp.FromDateTime(DateTime.SpecifyKind(full, DateTimeKind.Utc));
        }

        return freshness;
    }

    // "Modified" says whether the policy can change numbers, not whether it changed these ones: an
    // answer flagged unchanged would reveal exact counts.
    private V1.Disclosure Disclosure(int suppressed) => new()
    {
        Modified = releaser.Policy.Epsilon > 0 || releaser.Policy.Rounding > 1 || releaser.Policy.Threshold > 1 || suppressed > 0,
        Threshold = releaser.Policy.Threshold,
        Rounding = releaser.Policy.Rounding,
        Epsilon = releaser.Policy.Epsilon,
        SuppressedCells = suppressed,
    };

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Refused a new query of requester {Requester}: its privacy budget for the month is spent")]
    private static partial void LogBudgetSpent(ILogger logger, string requester);

    // Debug: every answer is in the audit log and the request metrics already; a journal line per
    // query would cost more than the count itself at thousands of calls a second.
    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "{Method} answered for query {QueryHash}")]
    private static partial void LogAnswered(ILogger logger, string method, string queryHash);
}
