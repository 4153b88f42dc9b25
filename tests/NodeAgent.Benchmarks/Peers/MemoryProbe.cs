using NodeAgent.Dicom;

namespace NodeAgent.Benchmarks.Peers;

/// <summary>Child process of the memory measurement: read a file and rewrite it, then report peak memory.</summary>
public static class MemoryProbe
{
    public static int Rewrite(string input, string output)
    {
        using (var file = DicomFile.Open(input))
        {
            file.Save(output, new NodeAgent.Dicom.IO.DicomWriteOptions { FlushToDisk = false });
        }

        Console.WriteLine($"peak-rss-kb {PeakResidentKilobytes()}");
        return 0;
    }

    /// <summary>VmHWM from /proc/self/status: the peak resident set of this process.</summary>
    public static long PeakResidentKilobytes() => PeakResidentKilobytes("self");

    /// <summary>VmHWM of another running process (a listener under measurement).</summary>
    public static long PeakResidentKilobytes(int pid) => PeakResidentKilobytes(pid.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static long PeakResidentKilobytes(string process)
    {
        var line = File.ReadLines($"/proc/{process}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
