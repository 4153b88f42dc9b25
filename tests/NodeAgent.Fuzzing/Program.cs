using System.Globalization;
using NodeAgent.Fuzzing;

// Long fuzz run: dotnet run -c Release --project tests/NodeAgent.Fuzzing -- [--target dicom|pdu] [--minutes N] [--seed N] [--corpus DIR] [--findings DIR]
var minutes = 10.0;
var targetName = "dicom";
var seed = Environment.TickCount;
string? corpus = null;
var findingsDir = Path.Combine(Directory.GetCurrentDirectory(), "fuzz-findings");
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--minutes": minutes = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--seed": seed = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--corpus": corpus = args[i + 1]; break;
        case "--findings": findingsDir = args[i + 1]; break;
        case "--target": targetName = args[i + 1]; break;
        default:
            Console.Error.WriteLine($"unknown option {args[i]}; options: --target dicom|pdu --minutes N --seed N --corpus DIR --findings DIR");
            return 2;
    }
}

var scratch = Path.Combine(Path.GetTempPath(), $"nodeagent-fuzz-{Environment.ProcessId}.dcm");
var (seeds, run, what) = targetName switch
{
    "pdu" => (PduFuzzTarget.Seeds(), (Func<byte[], FuzzFinding?>)new PduFuzzTarget().Run, "the PDU decoder and reader"),
    "dicom" => (SeedCorpus.Create(corpus), new DicomReaderFuzzTarget(scratch).Run, "the DICOM reader"),
    _ => throw new ArgumentException($"--target must be dicom or pdu, not '{targetName}'."),
};
Console.WriteLine($"Fuzzing {what} for {minutes} min, seed {seed}, {seeds.Count} seed inputs.");
var campaign = new FuzzCampaign(seeds, run, seed);
var findings = campaign.Run(int.MaxValue, TimeSpan.FromMinutes(minutes), progress: n => Console.WriteLine($"{n} inputs"));
File.Delete(scratch);
Directory.CreateDirectory(findingsDir);
foreach (var (finding, index) in findings.Select((f, i) => (f, i)))
{
    var path = Path.Combine(findingsDir, $"finding-{seed}-{index}.dcm");
    File.WriteAllBytes(path, finding.Input);
    Console.WriteLine($"{finding.Kind}: {finding.Detail.Split('\n')[0]} -> {path}");
}

Console.WriteLine($"{campaign.Iterations} inputs, {findings.Count} findings.");
return findings.Count == 0 ? 0 : 1;
