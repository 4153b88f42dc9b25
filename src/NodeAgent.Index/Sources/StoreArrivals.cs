using NodeAgent.Dicom;
using NodeAgent.Dicom.IO;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Sources.Internal;
using NodeAgent.Pseudonymisation.Keys;

namespace NodeAgent.Index.Sources;

/// <summary>
/// Indexes instances pushed to the agent by C-STORE as they arrive: each received file's header is
/// read and the instance added to its series in the catalogue, once (a resent instance is not counted
/// again). Thread-safe: associations deliver in parallel, the catalogue takes one at a time.
/// </summary>
public sealed class StoreArrivals(string name, SiteCatalogue catalogue, PseudonymGenerator pseudonyms)
{
    // Readers in other processes see arrivals after a checkpoint: not after every file, to keep up with a burst.
    private const int CheckpointEvery = 50;
    private readonly Lock _lock = new();
    private int _sinceCheckpoint;
    private int _indexed;

    public string Name { get; } = name;

    public int Indexed => Volatile.Read(ref _indexed);

    /// <summary>Arrivals not yet made visible to readers by <see cref="Flush"/>.</summary>
    public bool HasPending => Volatile.Read(ref _sinceCheckpoint) > 0;

    /// <summary>Indexes one received file; false when it is not an instance or was indexed before.</summary>
    /// <exception cref="DicomException">The file cannot be read.</exception>
    public bool Index(string path)
    {
        using var file = DicomFile.Open(path, DicomReadOptions.StopBeforePixelData);
        var ds = file.Dataset;
        var studyUid = ds.GetString(DicomTags.StudyInstanceUID)?.Trim();
        var seriesUid = ds.GetString(DicomTags.SeriesInstanceUID)?.Trim();
        var sopUid = ds.GetString(DicomTags.SOPInstanceUID)?.Trim();
        if (string.IsNullOrEmpty(studyUid) || string.IsNullOrEmpty(seriesUid) || string.IsNullOrEmpty(sopUid))
        {
            return false;
        }

        var record = SeriesRecordFactory.FromHeader(Name, ds, studyUid, seriesUid, pseudonyms);
        lock (_lock)
        {
            if (!catalogue.AddArrival(record, sopUid, ds.GetString(DicomTags.SOPClassUID)?.Trim(), file.TransferSyntax.Uid))
            {
                return false;
            }

            _indexed++;
            if (++_sinceCheckpoint >= CheckpointEvery)
            {
                Flush();
            }

            return true;
        }
    }

    /// <summary>
    /// Indexes one received file, for a listener that has already stored it: a file that cannot be read
    /// or indexed is reported by the kind of its problem (never its name, which may be a patient's),
    /// and the next full read of the folder indexes it.
    /// </summary>
    /// <returns>Null when indexed (or not an instance, or indexed before); else the exception's type name.</returns>
    public string? TryIndex(string path)
    {
        try
        {
            Index(path);
            return null;
        }
        catch (Exception e) when (e is DicomException or IOException or CatalogueException)
        {
            return e.GetType().Name;
        }
    }

    /// <summary>Makes every arrival so far visible to readers and records the source's state.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            var state = catalogue.GetSource(Name) ?? new SourceState { Id = Name, Kind = "store", Location = "C-STORE" };
            state.LastSuccessfulSync = DateTime.UtcNow;
            state.InstancesIndexed += _sinceCheckpoint;
            catalogue.SaveSource(state);
            catalogue.Checkpoint();
            _sinceCheckpoint = 0;
        }
    }
}
