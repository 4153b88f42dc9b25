using BenchmarkDotNet.Attributes;
using NodeAgent.Benchmarks.Peers;
using NodeAgent.Dicom;
using NodeAgent.Dicom.Json;

namespace NodeAgent.Benchmarks.Micro;

/// <summary>
/// Per-file costs on the CT corpus, from the page cache: time and bytes allocated per file
/// (BenchmarkDotNet's MemoryDiagnoser), for the header scan, a full parse, and DICOM JSON.
/// Run: dotnet run -c Release --project tests/NodeAgent.Benchmarks -- --filter '*CodecBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private List<string> _files = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _files = BenchCorpus.Files(BenchCorpus.Prepare(Environment.GetEnvironmentVariable("NODEAGENT_BENCH_CORPUS")));
        BenchCorpus.Warm(_files);
    }

    [Benchmark(Description = "Header scan of one CT file (17 attributes)")]
    public IndexHeader HeaderScanOneFile() => HeaderScan.Scan(NextFile());

    [Benchmark(Description = "Full parse of one CT file (pixel data referenced)")]
    public int FullParseOneFile()
    {
        using var file = DicomFile.Open(NextFile());
        return file.Dataset.Count;
    }

    [Benchmark(Description = "DICOM JSON of one CT file, header only")]
    public int JsonOfOneHeader()
    {
        using var file = DicomFile.Open(NextFile(), NodeAgent.Dicom.IO.DicomReadOptions.StopBeforePixelData);
        return DicomJsonWriter.Serialize(file.Dataset).Length;
    }

    private string NextFile() => _files[_next++ % _files.Count];
}
