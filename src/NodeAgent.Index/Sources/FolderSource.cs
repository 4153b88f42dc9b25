using System.Collections.Concurrent;
using System.Globalization;
using NodeAgent.Dicom;
using NodeAgent.Dicom.IO;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Scheduling;
using NodeAgent.Index.Sources.Internal;
using NodeAgent.Pseudonymisation.Keys;

namespace NodeAgent.Index.Sources;

/// <summary>
/// Indexes a folder tree of DICOM files (an export, a DICOMDIR's tree, a storage folder) with
/// header-only reads: each file is read up to its Pixel Data, instances are aggregated into series,
/// and the series replace this source's previous records. Series no longer in the folder are removed
/// only after a complete scan, so an interrupted sync never loses records.
/// </summary>
public sealed class FolderSource(string name, string folder, PseudonymGenerator pseudonyms) : IIndexSource
{
    // Only what a record needs is loaded; the rest of the header is skipped without being decoded.
    private static readonly HashSet<DicomTag> Needed =
    [
        DicomTags.SOPClassUID, DicomTags.StudyInstanceUID, DicomTags.SeriesInstanceUID, DicomTags.PatientID, DicomTags.IssuerOfPatientID,
        DicomTags.Modality, DicomTags.BodyPartExamined, DicomTags.PatientSex, DicomTags.PatientAge, DicomTags.PatientBirthDate,
        DicomTags.StudyDate, DicomTags.Manufacturer, DicomTags.ManufacturerModelName, DicomTags.SliceThickness,
    ];

    private static readonly DicomReadOptions HeaderOnly = DicomReadOptions.StopBeforePixelData with { Keep = Needed.Contains };

    public string Name { get; } = name;

    public string Folder { get; } = Path.GetFullPath(folder);

    bool IIndexSource.HasRecentScope => false;

    Task<string> IIndexSource.SyncAsync(SiteCatalogue catalogue, SyncScope scope, CancellationToken cancellationToken) =>
        Task.Run(
            () =>
            {
                var r = Sync(catalogue, cancellationToken: cancellationToken);
                return $"{r.Files} files, {r.Series} series, {r.Instances} instances; {r.Unreadable} unreadable; {r.SeriesRemoved} series removed{(r.PruningSkipped ? " (none: the scan was not complete)" : "")}";
            },
            cancellationToken);

    public FolderSyncResult Sync(SiteCatalogue catalogue, IProgress<(int Scanned, int Total)>? progress = null, int workers = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        if (!Directory.Exists(Folder))
        {
            throw new DirectoryNotFoundException($"The folder {Folder} does not exist.");
        }

        var state = catalogue.GetSource(Name) ?? new SourceState { Id = Name };
        state.Kind = "folder";
        state.Location = Folder;
        state.LastSyncStarted = DateTime.UtcNow;
        catalogue.SaveSource(state);

        var files = Directory.EnumerateFiles(Folder, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = false })
            .Where(f => !Path.GetFileName(f).StartsWith('.')).ToList();
        var series = new ConcurrentDictionary<string, SeriesAccumulator>(StringComparer.Ordinal);
        int scanned = 0, unreadable = 0, notInstances = 0, notReadNow = 0;
        try
        {
            Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = workers > 0 ? workers : 2 * Environment.ProcessorCount, CancellationToken = cancellationToken }, path =>
            {
                switch (Read(path, series))
                {
                    case ReadOutcome.Unreadable:
                        Interlocked.Increment(ref unreadable);
                        break;
                    case ReadOutcome.NotReadNow:
                        Interlocked.Increment(ref unreadable);
                        Interlocked.Increment(ref notReadNow);
                        break;
                    case ReadOutcome.NotAnInstance:
                        Interlocked.Increment(ref notInstances);
                        break;
                }

                progress?.Report((Interlocked.Increment(ref scanned), files.Count));
            });
        }
        catch (OperationCanceledException)
        {
            state.LastError = "the sync was interrupted; the records from before are kept";
            catalogue.SaveSource(state);
            throw;
        }

        var now = DateTime.UtcNow;
        // A series none of whose instances could be described (its files counted unreadable) has no record.
        var records = series.Values.Select(s => s.ToRecord(now)).OfType<SeriesRecord>().ToList();
        foreach (var batch in records.Chunk(1000))
        {
            catalogue.Upsert(batch);
        }

        // Series are removed only when the scan saw the whole folder: an unmounted share (an empty mount
        // point) or files that could not be read must not wipe what the catalogue knew.
        var complete = notReadNow == 0 && (records.Count > 0 || catalogue.SeriesOf(Name) == 0);
        var removed = complete ? catalogue.RemoveSeries(Name, records.Select(r => r.SeriesInstanceUid).ToHashSet(StringComparer.Ordinal)) : 0;
        state.LastSuccessfulSync = now;
        state.SeriesIndexed = records.Count;
        state.StudiesSeen = state.StudiesIndexed = records.Select(r => r.StudyInstanceUid).Distinct(StringComparer.Ordinal).Count();
        state.InstancesIndexed = records.Sum(r => r.Instances);
        state.Unreadable = unreadable;
        state.LastError = complete ? null : "series missing from the folder were kept: the scan found no instance, or some files could not be opened (permissions, network)";
        catalogue.SaveSource(state);
        return new FolderSyncResult(files.Count, records.Count, state.InstancesIndexed, unreadable, notInstances, removed) { PruningSkipped = !complete };
    }

    private ReadOutcome Read(string path, ConcurrentDictionary<string, SeriesAccumulator> series)
    {
        DicomFile file;
        try
        {
            if (new FileInfo(path).Length == 0)
            {
                return ReadOutcome.Unreadable; // empty, or a pipe or device: never opened
            }

            file = DicomFile.Open(path, HeaderOnly);
        }
        catch (DicomException)
        {
            return ReadOutcome.Unreadable; // not DICOM, or damaged: the same next time
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ReadOutcome.NotReadNow; // may be readable next time: what it held is not known
        }

        using (file)
        {
            var ds = file.Dataset;
            var seriesUid = ds.GetString(DicomTags.SeriesInstanceUID)?.Trim();
            var studyUid = ds.GetString(DicomTags.StudyInstanceUID)?.Trim();
            if (string.IsNullOrEmpty(seriesUid) || string.IsNullOrEmpty(studyUid))
            {
                return ReadOutcome.NotAnInstance;
            }

            var accumulator = series.GetOrAdd(seriesUid, _ => new SeriesAccumulator(Name, studyUid, seriesUid));
            try
            {
                accumulator.Add(ds, file.TransferSyntax.Uid, pseudonyms);
            }
            catch (DicomException)
            {
                return ReadOutcome.Unreadable; // a value that cannot be decoded
            }

            return ReadOutcome.Indexed;
        }
    }

    private enum ReadOutcome
    {
        Indexed,
        Unreadable,
        NotReadNow,
        NotAnInstance,
    }

    /// <summary>The instances of one series seen so far; thread-safe.</summary>
    private sealed class SeriesAccumulator(string source, string studyUid, string seriesUid)
    {
        private readonly Lock _lock = new();
        private SeriesRecord? _record;

        public void Add(DicomDataset ds, string transferSyntax, PseudonymGenerator pseudonyms)
        {
            var sopClass = ds.GetString(DicomTags.SOPClassUID)?.Trim();
            lock (_lock)
            {
                // Described by its first readable instance (this may throw on a value that cannot be decoded: the next one describes it).
                _record ??= SeriesRecordFactory.FromHeader(source, ds, studyUid, seriesUid, pseudonyms);
                _record.AddInstance(sopClass, transferSyntax);
            }
        }

        public SeriesRecord? ToRecord(DateTime now)
        {
            _record?.IndexedAt = now;
            return _record;
        }
    }

    /// <summary>Age in years at the study: Patient's Age (nnnY, M, W, D), else from the birth date (then dropped).</summary>
    internal static int? AgeYears(string? patientAge, DateOnly? birthDate, DateOnly? studyDate)
    {
        var age = patientAge?.Trim();
        if (age is { Length: 4 } && int.TryParse(age.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return age[3] switch
            {
                'Y' => n,
                'M' => n / 12,
                'W' => n / 52,
                'D' => n / 365,
                _ => null,
            };
        }

        if (birthDate is { } birth && studyDate is { } study && study >= birth)
        {
            var years = study.Year - birth.Year;
            return study < birth.AddYears(years) ? years - 1 : years;
        }

        return null;
    }
}

/// <summary>What a folder sync did.</summary>
public sealed record FolderSyncResult(int Files, int Series, int Instances, int Unreadable, int NotInstances, int SeriesRemoved)
{
    /// <summary>Series missing from the folder were kept, because the scan was not complete.</summary>
    public bool PruningSkipped { get; init; }
}
