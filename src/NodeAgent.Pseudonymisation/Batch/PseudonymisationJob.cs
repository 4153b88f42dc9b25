using System.Collections.Concurrent;
using System.Diagnostics;
using NodeAgent.Dicom;
using NodeAgent.Dicom.IO;

namespace NodeAgent.Pseudonymisation.Batch;

/// <summary>
/// Pseudonymises a folder tree into another with the same layout. Each output is written under a
/// temporary name and renamed when complete, so an output that exists is whole and a second run
/// skips it: an interrupted batch is finished by running it again. Hidden files (names starting
/// with a dot) are skipped. Inputs that cannot be
/// pseudonymised safely are copied to the quarantine folder with a <c>.reason.txt</c> beside them.
/// </summary>
public sealed class PseudonymisationJob
{
    private const string PartialSuffix = ".nodeagent-partial";
    private const string ReasonSuffix = ".reason.txt";
    private readonly Pseudonymiser _pseudonymiser;
    private readonly PseudonymisationJobOptions _options;

    public PseudonymisationJob(Pseudonymiser pseudonymiser, PseudonymisationJobOptions options)
    {
        ArgumentNullException.ThrowIfNull(pseudonymiser);
        ArgumentNullException.ThrowIfNull(options);
        _pseudonymiser = pseudonymiser;
        _options = options with
        {
            InputDirectory = Path.GetFullPath(options.InputDirectory),
            OutputDirectory = Path.GetFullPath(options.OutputDirectory),
            QuarantineDirectory = Path.GetFullPath(options.QuarantineDirectory),
        };
        Validate(_options);
    }

    public PseudonymisationSummary Run(IProgress<PseudonymisationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var total = InputFiles().Count();
        var counters = new Counters();
        var reasons = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var failures = new ConcurrentQueue<(string, string)>();
        var interrupted = false;
        try
        {
            Parallel.ForEach(
                InputFiles(),
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.Jobs), CancellationToken = cancellationToken },
                path =>
                {
                    var outcome = Handle(path, out var bytes, out var detail);
                    counters.Add(outcome, bytes);
                    if (outcome == Outcome.Quarantined)
                    {
                        reasons.AddOrUpdate(detail, 1, (_, n) => n + 1);
                    }
                    else if (outcome == Outcome.Failed && failures.Count < PseudonymisationSummary.MaxListedFailures)
                    {
                        failures.Enqueue((Path.GetRelativePath(_options.InputDirectory, path), detail));
                    }

                    progress?.Report(counters.Snapshot(total));
                });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            interrupted = true;
        }

        return new PseudonymisationSummary
        {
            Total = total,
            Done = counters.Done,
            AlreadyDone = counters.AlreadyDone,
            Quarantined = counters.Quarantined,
            Failed = counters.Failed,
            PixelsCleaned = counters.PixelsCleaned,
            BytesRead = counters.Bytes,
            Elapsed = stopwatch.Elapsed,
            Interrupted = interrupted,
            QuarantineReasons = new Dictionary<string, int>(reasons),
            Failures = failures.ToArray(),
        };
    }

    // Hidden files (.DS_Store, a tool's .complete marker) are not part of an export and are skipped.
    private IEnumerable<string> InputFiles() =>
        Directory.EnumerateFiles(_options.InputDirectory, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.None })
            .Where(path => !Path.GetFileName(path).StartsWith('.'));

    private Outcome Handle(string path, out long bytes, out string detail)
    {
        var relative = Path.GetRelativePath(_options.InputDirectory, path);
        var output = Path.Combine(_options.OutputDirectory, relative);
        bytes = 0;
        detail = "";
        if (File.Exists(output))
        {
            return Outcome.AlreadyDone;
        }

        PseudonymisationResult result;
        DicomFile? input = null;
        try
        {
            bytes = new FileInfo(path).Length;
            input = DicomFile.Open(path);
            result = _pseudonymiser.Pseudonymise(input);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            input?.Dispose();
            detail = $"cannot read the input: {e.GetType().Name}";
            return Outcome.Failed;
        }
        catch (DicomException e)
        {
            input?.Dispose();
            return Quarantine(path, relative, new QuarantineReason(QuarantineReason.Malformed, e.Message), out detail);
        }
#pragma warning disable CA1031 // Hostile input must never stop the batch: whatever it throws, the file is set aside.
        catch (Exception e)
#pragma warning restore CA1031
        {
            input?.Dispose();
            return Quarantine(path, relative, new QuarantineReason(QuarantineReason.Malformed, $"unreadable ({e.GetType().Name})"), out detail);
        }

        using (input)
        {
            if (result.Quarantine is { } reason)
            {
                return Quarantine(path, relative, reason, out detail);
            }

            var partial = output + PartialSuffix;
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(output)!);
                result.Output!.Save(partial, new DicomWriteOptions { FlushToDisk = _options.FlushToDisk });
                File.Move(partial, output, overwrite: true);
            }
#pragma warning disable CA1031 // A failed write is counted and reported; the batch goes on with the next file.
            catch (Exception e)
#pragma warning restore CA1031
            {
                TryDelete(partial);
                detail = e is IOException or UnauthorizedAccessException ? $"cannot write the output: {e.Message}" : $"cannot write the output ({e.GetType().Name})";
                return Outcome.Failed;
            }
        }

        // A file quarantined by an earlier run under another profile is no longer quarantined.
        var quarantined = Path.Combine(_options.QuarantineDirectory, relative);
        if (File.Exists(quarantined + ReasonSuffix))
        {
            TryDelete(quarantined);
            TryDelete(quarantined + ReasonSuffix);
        }

        return result.PixelsCleaned ? Outcome.DoneWithPixelsCleaned : Outcome.Done;
    }

    private Outcome Quarantine(string path, string relative, QuarantineReason reason, out string detail)
    {
        var target = Path.Combine(_options.QuarantineDirectory, relative);
        detail = reason.Category;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(path, target + PartialSuffix, overwrite: true);
            File.Move(target + PartialSuffix, target, overwrite: true);
            File.WriteAllText(target + ReasonSuffix, reason + Environment.NewLine);
            return Outcome.Quarantined;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(target + PartialSuffix);
            detail = $"cannot write to the quarantine folder: {e.Message}";
            return Outcome.Failed;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next run, which overwrites it.
        }
    }

    private static void Validate(PseudonymisationJobOptions options)
    {
        if (!Directory.Exists(options.InputDirectory))
        {
            throw new ArgumentException($"The input folder {options.InputDirectory} does not exist.");
        }

        (string Name, string Path)[] folders = [("input", options.InputDirectory), ("output", options.OutputDirectory), ("quarantine", options.QuarantineDirectory)];
        foreach (var (name, path) in folders)
        {
            foreach (var (otherName, otherPath) in folders)
            {
                if (name != otherName && IsSameOrInside(path, otherPath))
                {
                    // Quarantined files hold identifying data: they must never land in the research output.
                    throw new ArgumentException($"The {name} folder {path} is {(path == otherPath ? "the same as" : "inside")} the {otherName} folder {otherPath}; use separate folders.");
                }
            }
        }
    }

    private static bool IsSameOrInside(string path, string folder)
    {
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var normalizedFolder = Path.TrimEndingDirectorySeparator(folder) + Path.DirectorySeparatorChar;
        return string.Equals(Path.TrimEndingDirectorySeparator(path), Path.TrimEndingDirectorySeparator(folder), comparison) ||
            path.StartsWith(normalizedFolder, comparison);
    }

    private enum Outcome
    {
        Done,
        DoneWithPixelsCleaned,
        AlreadyDone,
        Quarantined,
        Failed,
    }

    private sealed class Counters
    {
        private int _done;
        private int _alreadyDone;
        private int _quarantined;
        private int _failed;
        private int _pixelsCleaned;
        private long _bytes;

        public int Done => _done;

        public int AlreadyDone => _alreadyDone;

        public int Quarantined => _quarantined;

        public int Failed => _failed;

        public int PixelsCleaned => _pixelsCleaned;

        public long Bytes => Interlocked.Read(ref _bytes);

        public void Add(Outcome outcome, long bytes)
        {
            Interlocked.Add(ref _bytes, bytes);
            _ = outcome switch
            {
                Outcome.Done => Interlocked.Increment(ref _done),
                Outcome.DoneWithPixelsCleaned => Interlocked.Increment(ref _done) + Interlocked.Increment(ref _pixelsCleaned),
                Outcome.AlreadyDone => Interlocked.Increment(ref _alreadyDone),
                Outcome.Quarantined => Interlocked.Increment(ref _quarantined),
                _ => Interlocked.Increment(ref _failed),
            };
        }

        public PseudonymisationProgress Snapshot(int total) =>
            new(Volatile.Read(ref _done) + Volatile.Read(ref _alreadyDone) + Volatile.Read(ref _quarantined) + Volatile.Read(ref _failed), total, Volatile.Read(ref _quarantined), Volatile.Read(ref _failed), Bytes);
    }
}
