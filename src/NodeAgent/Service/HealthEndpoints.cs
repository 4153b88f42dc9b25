using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NodeAgent.Index.Counting;

namespace NodeAgent.Service;

/// <summary>
/// <c>/healthz</c>: the process is alive. <c>/readyz</c>: it can answer (the count engine is built)
/// and no source has failed three syncs in a row; otherwise 503 with the reasons (source names only).
/// </summary>
internal static class HealthEndpoints
{
    public const int FailuresBeforeNotReady = 3;

    public static void Map(WebApplication app, int port)
    {
        // By the port the connection came in on, not the Host header a caller chooses.
        bool OnPort(HttpContext http) => http.Connection.LocalPort == port;
        app.MapGet("/healthz", (HttpContext http) => OnPort(http) ? Results.Text("alive\n") : Results.NotFound());
        app.MapGet("/readyz", (HttpContext http, IServiceProvider services) =>
        {
            if (!OnPort(http))
            {
                return Results.NotFound();
            }

            var problems = new List<string>();
            var engine = services.GetRequiredService<LiveCountEngine>();
            if (engine.LastError is not null)
            {
                problems.Add("the count engine could not be rebuilt; it answers from its previous build");
            }

            foreach (var source in services.GetRequiredService<ServiceCatalogue>().Catalogue.Sources().Where(s => s.ConsecutiveFailures >= FailuresBeforeNotReady))
            {
                problems.Add($"source {source.Id}: {source.ConsecutiveFailures} syncs failed in a row");
            }

            var body = JsonSerializer.Serialize(new Dictionary<string, object> { ["ready"] = problems.Count == 0, ["problems"] = problems, ["catalogueBuilt"] = engine.BuiltAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture) });
            return Results.Content(body, "application/json", statusCode: problems.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
    }
}
