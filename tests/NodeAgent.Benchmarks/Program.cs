using BenchmarkDotNet.Running;
using NodeAgent.Benchmarks.Peers;

// `peers [--runs N] [--corpus DIR] [--skip-memory]`: NodeAgent against the peers, in one run.
// `rewrite IN OUT`: child process of the memory measurement. Anything else: BenchmarkDotNet.
return args.FirstOrDefault() switch
{
    "peers" => await PeerComparison.RunAsync(args[1..]),
    "rewrite" => MemoryProbe.Rewrite(args[1], args[2]),
    _ => RunBenchmarkDotNet(args),
};

static int RunBenchmarkDotNet(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(PeerComparison).Assembly).Run(args);
    return 0;
}
