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
        CheckFolders(_options);
    }

    /// <summary>
    /// The file beside the output folder (OUTPUT.nodeagent-run.json) that says which profile and key
    /// made it; beside, not inside, so that the output holds nothing but DICOM files.
    /// </summary>
    public string RunRecordPath => Path.TrimEndingDirectorySeparator(_options.OutputDirectory) + ".nodeagent-run.json";

    public PseudonymisationSummary Run(IProgress<PseudonymisationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        using var activity = PseudonymisationTelemetry.Source.StartActivity("pseudonymisation job");
        var stopwatch = Stopwatch.StartNew();
        CheckRunRecord();
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
    // Symbolic links are not followed: a link can loop, or lead out of the input (to /dev/zero, say).
    private IEnumerable<string> InputFiles() =>
        Directory.EnumerateFiles(_options.InputDirectory, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .Where(path => !Path.GetFileName(path).StartsWith('.'));

    // Resuming into an output made with another profile or key would mix two kinds of pseudonyms in one research store.
    private void CheckRunRecord()
    {
        var record = RunRecordPath;
        var current = $"{{\"profile\":\"{_pseudonymiser.Profile.Name}\",\"fingerprint\":\"{_pseudonymiser.Profile.Fingerprint}\",\"key\":\"{_pseudonymiser.KeyId}\"}}";
        // A record without a non-empty output folder is left from a folder deleted to start again.
        if (File.Exists(record) && Directory.Exists(_options.OutputDirectory) && Directory.EnumerateFileSystemEntries(_options.OutputDirectory).Any())
        {
            var previous = File.ReadAllText(record).Trim();
            if (previous != current)
            {
                throw new ArgumentException($"The output folder {_options.OutputDirectory} was made with another profile or key ({previous}; now {current}). Use a new output folder, or delete it to start again.");
            }

            return;
        }

        Directory.CreateDirectory(_options.OutputDirectory);
        File.WriteAllText(record, current + Environment.NewLine);
    }

    private Outcome Handle(string path, out long bytes, out string detail)
    {
        var relative = Path.GetRelativePath(_options.InputDirectory, path);
        var output = Path.Combine(_options.OutputDirectory, relative);
        bytes = 0;
        detail = "";
        if (_options.Layout == OutputLayout.Mirror && File.Exists(output))
        {
            return Outcome.AlreadyDone;
        }

        PseudonymisationResult result;
        DicomFile? input = null;
        try
        {
            bytes = new FileInfo(path).Length;
            if (bytes == 0)
            {
                // Empty, or not a regular file (a pipe or a device reports no length): never opened.
                return Quarantine(path, relative, new QuarantineReason(QuarantineReason.Malformed, "an empty file, or not a regular file"), out detail, copy: false);
            }

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

            if (_options.Layout == OutputLayout.Uids)
            {
                // Named by the new UIDs: the input's folder and file names (often a patient's name or an accession number) stay behind.
                var ds = result.Output!.Dataset;
                output = Path.Combine(_options.OutputDirectory, SafeName(ds.GetString(DicomTags.StudyInstanceUID)), SafeName(ds.GetString(DicomTags.SeriesInstanceUID)), SafeName(ds.GetString(DicomTags.SOPInstanceUID)) + ".dcm");
                if (File.Exists(output))
                {
                    return Outcome.AlreadyDone;
                }
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

    private Outcome Quarantine(string path, string relative, QuarantineReason reason, out string detail, bool copy = true)
    {
        var target = Path.Combine(_options.QuarantineDirectory, relative);
        detail = reason.Category;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (copy)
            {
                File.Copy(path, target + PartialSuffix, overwrite: true);
                File.Move(target + PartialSuffix, target, overwrite: true);
            }

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

    private static string SafeName(string? uid) =>
        string.IsNullOrEmpty(uid) || uid.Any(c => !(char.IsAsciiDigit(c) || c == '.')) ? "unknown" : uid;

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

    /// <summary>
    /// Refuses a missing input folder and folders inside one another (symbolic links resolved), before
    /// anything is created.
    /// </summary>
    /// <exception cref="ArgumentException">The folders cannot be used; the message says why.</exception>
    public static void CheckFolders(PseudonymisationJobOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Directory.Exists(options.InputDirectory))
        {
            throw new ArgumentException($"The input folder {options.InputDirectory} does not exist.");
        }

        // Compared as real paths: a symbolic link must not put the output inside the input, or the quarantine inside the output.
        (string Name, string Path)[] folders = [("input", RealPath(options.InputDirectory)), ("output", RealPath(options.OutputDirectory)), ("quarantine", RealPath(options.QuarantineDirectory))];
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

    /// <summary>The path with every symbolic link in it resolved, as far as it exists.</summary>
    private static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full)!;
        var current = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(current, part);
            var info = new DirectoryInfo(next);
            current = info.Exists && info.LinkTarget is not null
                ? info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? next
                : next;
        }

        return current;
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
            PseudonymisationTelemetry.Record(
                outcome switch
                {
                    Outcome.Done or Outcome.DoneWithPixelsCleaned => "done",
                    Outcome.AlreadyDone => "already_done",
                    Outcome.Quarantined => "quarantined",
                    _ => "failed",
                },
                bytes);
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
