using System.Diagnostics;
using NodeAgent.Dicom;
using NodeAgent.Dicom.IO;
using NodeAgent.Dicom.Json;

namespace NodeAgent.Fuzzing;

/// <summary>
/// Feeds one input to the Part 10 reader (from a file and from a forward-only stream), and what it
/// reads to the JSON and Part 10 writers. Allowed outcomes: success, or a DicomException.
/// Anything else, more than ten seconds (a hang: inputs are kilobytes), or more than 64 MB allocated is a finding.
/// </summary>
public sealed class DicomReaderFuzzTarget(string scratchFile)
{
    private const long AllocationBudget = 64L * 1024 * 1024;
    private static readonly DicomReadOptions Options = new() { LargeValueThreshold = 256, SpoolThreshold = 4096, MaxDepth = 32 };

    public FuzzFinding? Run(byte[] input)
    {
        var watch = Stopwatch.StartNew();
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            File.WriteAllBytes(scratchFile, input);
            using (var file = DicomFile.Open(scratchFile, Options))
            {
                Exercise(file);
            }

            using (var streamed = DicomFile.Read(new MemoryStream(input, writable: false), Options))
            {
                Exercise(streamed);
            }
        }
        catch (DicomException)
        {
            // The contract: malformed input gets a typed error.
        }
        catch (Exception ex)
        {
            return new FuzzFinding("exception", $"{ex.GetType().FullName}: {ex.Message}\n{ex.StackTrace}", input);
        }

        if (watch.Elapsed > TimeSpan.FromSeconds(10))
        {
            return new FuzzFinding("slow", $"{watch.Elapsed.TotalMilliseconds:F0} ms", input);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        return allocated > AllocationBudget + (16L * input.Length)
            ? new FuzzFinding("memory", $"{allocated} bytes allocated for a {input.Length}-byte input", input)
            : null;
    }

    private static void Exercise(DicomFile file)
    {
        DicomJsonWriter.Serialize(file.Dataset);
        using var sink = new MemoryStream();
        try
        {
            file.Write(sink);
        }
        catch (DicomException)
        {
            // Some inputs cannot be re-encoded (e.g. a value over 4 GB in a 32-bit length); that is a typed refusal.
        }
    }
}
