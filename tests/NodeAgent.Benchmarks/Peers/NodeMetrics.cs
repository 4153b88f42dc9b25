using System.Globalization;

namespace NodeAgent.Benchmarks.Peers;

/// <summary>
/// A node's runtime counters, read from its Prometheus endpoint (as the Debian package configures
/// it). The exporter serves a scrape cached for up to 300 ms: read after at least that long idle.
/// </summary>
internal sealed class NodeMetrics(HttpClient endpoint)
{
    /// <summary>Garbage collections so far, all generations (<c>dotnet_gc_collections_total</c>).</summary>
    public Task<long> GcCollectionsAsync() => CounterAsync("dotnet_gc_collections_total");

    /// <summary>Methods the JIT has compiled so far, every tier (<c>dotnet_jit_compiled_methods_total</c>).</summary>
    public Task<long> JitCompiledMethodsAsync() => CounterAsync("dotnet_jit_compiled_methods_total");

    /// <summary>
    /// A counter summed over its series in Prometheus' text format: <c>name{labels} value [timestamp]</c>,
    /// e.g. one series per GC generation, <c>dotnet_gc_collections_total{gc_heap_generation="gen0"} 12</c>.
    /// </summary>
    public static long Sum(string exposition, string name)
    {
        long total = 0;
        var found = false;
        foreach (var line in exposition.Split('\n'))
        {
            if (!line.StartsWith(name, StringComparison.Ordinal) || line.Length == name.Length || line[name.Length] is not (' ' or '{'))
            {
                continue;
            }

            // The value is the first field after the labels, not the last one: a timestamp (or an
            // OpenMetrics exemplar, with labels of its own) may follow it. Labels may hold spaces and
            // braces inside their quoted values.
            var rest = line[name.Length] == '{' ? line[(EndOfLabels(line, name.Length) + 1)..] : line[name.Length..];
            total += (long)double.Parse(rest.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
            found = true;
        }

        return found ? total : throw new InvalidOperationException($"The node's /metrics has no {name}.");
    }

    /// <summary>The index of the brace that closes the labels opened at <paramref name="open"/>, outside quoted values.</summary>
    private static int EndOfLabels(string line, int open)
    {
        var quoted = false;
        for (var i = open + 1; i < line.Length; i++)
        {
            switch (line[i])
            {
                case '\\' when quoted:
                    i++; // an escaped character inside a value
                    break;
                case '"':
                    quoted = !quoted;
                    break;
                case '}' when !quoted:
                    return i;
            }
        }

        throw new FormatException("A metric line's labels are not closed.");
    }

    private async Task<long> CounterAsync(string name) =>
        Sum(await endpoint.GetStringAsync(new Uri("/metrics", UriKind.Relative)), name);
}
