using LiteDB;

namespace NodeAgent.Index.Catalogue;

/// <summary>
/// The site catalogue in one LiteDB file: series records and the sync state of each source. The
/// schema is versioned (LiteDB's user version); a file from an older NodeAgent is migrated when it is
/// opened, and one from a newer NodeAgent is refused rather than damaged.
/// </summary>
public sealed class SiteCatalogue : IDisposable
{
    /// <summary>The schema this NodeAgent writes.</summary>
    public const int SchemaVersion = 2;

    private const string SeriesCollection = "series";
    private const string SourcesCollection = "sources";

    // Instances received by C-STORE, so that one sent twice is counted once (schema 2).
    private const string ArrivalsCollection = "arrivals";

    // Each entry upgrades a file from the version before it to its own; index 0 creates a new file.
    private static readonly Action<LiteDatabase>[] Migrations =
    [
        db =>
        {
            var series = db.GetCollection<SeriesRecord>(SeriesCollection);
            series.EnsureIndex(s => s.Source);
            series.EnsureIndex(s => s.StudyInstanceUid);
        },
        db => db.GetCollection<Arrival>(ArrivalsCollection).EnsureIndex(a => a.SeriesId),
    ];

    // LiteDB 5 keeps every page it has read or written in memory for as long as the database is
    // open, with no limit: a writer open for months, or one full read of a million series, would
    // hold the whole file (670 MB at a million series). So bulk reads go through a short-lived
    // read-only connection, and the writer's connection is reopened after this many records written.
    private const int DefaultRecordsBeforeReopen = 50_000;

    // Bulk reads of more records than this give the freed cache back to the OS at once.
    private const int RecordsBeforeMemoryRelief = 50_000;

    private readonly Lock _gate = new();
    private readonly FileStream? _writerLock;
    private readonly bool _readOnly;
    private LiteDatabase _db;
    private int _writtenSinceOpen;

    private SiteCatalogue(LiteDatabase db, string path, FileStream? writerLock, bool readOnly)
    {
        _db = db;
        Path = path;
        _writerLock = writerLock;
        _readOnly = readOnly;
    }

    public string Path { get; }

    /// <summary>Records written before the writer's connection is reopened (its page cache let go); lowered by tests.</summary>
    internal int RecordsBeforeReopen { get; set; } = DefaultRecordsBeforeReopen;

    /// <summary>Raised after records were added, changed or removed (and committed); the count engine refreshes on it.</summary>
    public event EventHandler? Changed;

    /// <summary>
    /// Opens (or creates) the catalogue for writing, migrating an older schema. One writer at a time:
    /// a lock file beside the catalogue keeps a second NodeAgent process out.
    /// </summary>
    /// <exception cref="CatalogueException">The file is not a catalogue, is damaged, is from a newer NodeAgent, or another process writes it.</exception>
    public static SiteCatalogue Open(string path) => Open(path, readOnly: false);

    /// <summary>Opens an existing catalogue for reading only (queries): no lock, no migration.</summary>
    /// <exception cref="CatalogueException">The file is missing, not a catalogue, damaged, or of another schema.</exception>
    public static SiteCatalogue OpenReadOnly(string path) => Open(path, readOnly: true);

    private static SiteCatalogue Open(string path, bool readOnly)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = System.IO.Path.GetFullPath(path);
        if (readOnly && !File.Exists(full))
        {
            throw new CatalogueException($"No catalogue at {full}: index a source first (nodeagent index --source folder:/PATH --db {path}).");
        }

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        FileStream? writerLock = null;
        LiteDatabase? db = null;
        try
        {
            if (!readOnly)
            {
                writerLock = TakeWriterLock(full);
            }

            db = new LiteDatabase(new ConnectionString { Filename = full, Connection = ConnectionType.Direct, ReadOnly = readOnly });
            if (readOnly)
            {
                var version = db.UserVersion;
                if (version != SchemaVersion)
                {
                    throw new CatalogueException($"{full} has catalogue schema {version}; this NodeAgent reads {SchemaVersion}. {(version < SchemaVersion ? "Run nodeagent index once to upgrade it." : "Upgrade NodeAgent.")}");
                }
            }
            else
            {
                Migrate(db, full);
            }

            return new SiteCatalogue(db, full, writerLock, readOnly);
        }
        catch (CatalogueException)
        {
            db?.Dispose();
            writerLock?.Dispose();
            throw;
        }
#pragma warning disable CA1031 // LiteDB reports a foreign or damaged file with whatever its parser meets (even date overflows): all of it means the same to the site.
        catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            db?.Dispose();
            writerLock?.Dispose();
            throw new CatalogueException($"{full} cannot be opened as a catalogue: it is not a NodeAgent catalogue, or it is damaged or in use ({e.GetType().Name}: {e.Message})", e);
        }
    }

    /// <summary>Adds or replaces series records, all or none.</summary>
    public void Upsert(IReadOnlyCollection<SeriesRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        lock (_gate)
        {
            InTransaction(db => db.GetCollection<SeriesRecord>(SeriesCollection).Upsert(records));
            Written(records.Count);
        }

        Changed?.Invoke(this, EventArgs.Empty);
    }

    /// <summary>
    /// Stores a crawl window's series together with the source's state (the pass's remaining windows),
    /// all or nothing: after a kill, the pass resumes exactly after the last window committed.
    /// </summary>
    public void CommitWindow(IReadOnlyCollection<SeriesRecord> records, SourceState state)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(state);
        lock (_gate)
        {
            InTransaction(db =>
            {
                if (records.Count > 0)
                {
                    db.GetCollection<SeriesRecord>(SeriesCollection).Upsert(records);
                }

                db.GetCollection<SourceState>(SourcesCollection).Upsert(state);
            });
            Written(records.Count);
        }

        if (records.Count > 0)
        {
            Changed?.Invoke(this, EventArgs.Empty);
        }
    }

    /// <summary>
    /// Every series record, streamed in chunks from read-only connections of their own (so that the
    /// pages read are let go as it goes); damage met on the way is a <see cref="CatalogueException"/>.
    /// </summary>
    public IEnumerable<SeriesRecord> Series() => Read(null);

    /// <summary>A source's series records, streamed as <see cref="Series"/> is.</summary>
    public IEnumerable<SeriesRecord> SeriesOfSource(string source) => Read(s => s.Source == source);

    /// <summary>How many series records a source has.</summary>
    public int SeriesOf(string source)
    {
        lock (_gate)
        {
            return _db.GetCollection<SeriesRecord>(SeriesCollection).Count(s => s.Source == source);
        }
    }

    public int SeriesCount
    {
        get
        {
            lock (_gate)
            {
                return _db.GetCollection<SeriesRecord>(SeriesCollection).Count();
            }
        }
    }

    /// <summary>
    /// Removes a source's records of series no longer there, among those the sync looked at
    /// (<paramref name="inScope"/>: the study dates crawled, say; all when null).
    /// </summary>
    public int RemoveSeries(string source, IReadOnlySet<string> keepSeriesUids, Func<SeriesRecord, bool>? inScope = null)
    {
        ArgumentNullException.ThrowIfNull(keepSeriesUids);
        return Remove(SeriesOfSource(source).Where(s => !keepSeriesUids.Contains(s.SeriesInstanceUid) && (inScope is null || inScope(s))).Select(s => s.Id).ToList());
    }

    /// <summary>
    /// Removes a source's series that the crawl pass <paramref name="pass"/> (and any later one) did
    /// not see, among those in its range: the series the PACS no longer has.
    /// </summary>
    public int RemoveSeriesNotSeenSince(string source, int pass, Func<SeriesRecord, bool> inScope)
    {
        ArgumentNullException.ThrowIfNull(inScope);
        return Remove(SeriesOfSource(source).Where(s => s.Pass < pass && inScope(s)).Select(s => s.Id).ToList());
    }

    /// <summary>
    /// Adds one instance received by C-STORE to its series (created from <paramref name="series"/> when
    /// new). An instance already received is not counted again. All or nothing.
    /// </summary>
    /// <returns>False when the instance was already in the catalogue.</returns>
    public bool AddArrival(SeriesRecord series, string sopInstanceUid, string? sopClassUid, string transferSyntaxUid)
    {
        ArgumentNullException.ThrowIfNull(series);
        var id = series.Source + "|" + sopInstanceUid;
        lock (_gate)
        {
            var added = InTransaction(db =>
            {
                var arrivals = db.GetCollection<Arrival>(ArrivalsCollection);
                if (arrivals.FindById(id) is not null)
                {
                    return false;
                }

                arrivals.Insert(new Arrival { Id = id, SeriesId = series.Id });
                var collection = db.GetCollection<SeriesRecord>(SeriesCollection);
                var record = collection.FindById(series.Id) ?? series;
                record.AddInstance(sopClassUid, transferSyntaxUid);
                record.IndexedAt = DateTime.UtcNow;
                collection.Upsert(record);
                return true;
            }, checkpoint: false);
            if (!added)
            {
                return false;
            }

            Written(1);
        }

        Changed?.Invoke(this, EventArgs.Empty);
        return true;
    }

    /// <summary>Writes what is committed into the data file, where readers in other processes see it.</summary>
    public void Checkpoint()
    {
        lock (_gate)
        {
            _db.Checkpoint();
        }
    }

    public SourceState? GetSource(string name)
    {
        lock (_gate)
        {
            return _db.GetCollection<SourceState>(SourcesCollection).FindById(name);
        }
    }

    public IReadOnlyList<SourceState> Sources()
    {
        lock (_gate)
        {
            return _db.GetCollection<SourceState>(SourcesCollection).FindAll().ToList();
        }
    }

    public void SaveSource(SourceState state)
    {
        lock (_gate)
        {
            _db.GetCollection<SourceState>(SourcesCollection).Upsert(state);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _db.Dispose();
            _writerLock?.Dispose();
        }
    }

    private int Remove(List<string> ids)
    {
        if (ids.Count == 0)
        {
            return 0;
        }

        lock (_gate)
        {
            InTransaction(db =>
            {
                var collection = db.GetCollection<SeriesRecord>(SeriesCollection);
                foreach (var id in ids)
                {
                    collection.Delete(id);
                }
            });
            Written(ids.Count);
        }

        Changed?.Invoke(this, EventArgs.Empty);
        return ids.Count;
    }

    private void InTransaction(Action<LiteDatabase> work, bool checkpoint = true) =>
        InTransaction(
            db =>
            {
                work(db);
                return true;
            },
            checkpoint);

    // Callers hold _gate. A checkpoint puts the commit into the data file, where read-only
    // connections (queries in other processes, bulk reads here) see it.
    private T InTransaction<T>(Func<LiteDatabase, T> work, bool checkpoint = true)
    {
        _db.BeginTrans();
        T result;
        try
        {
            result = work(_db);
        }
        catch
        {
            _db.Rollback();
            throw;
        }

        try
        {
            _db.Commit();
        }
        catch
        {
            _db.Rollback();
            throw;
        }

        if (checkpoint)
        {
            _db.Checkpoint();
        }

        return result;
    }

    // Callers hold _gate.
    private void Written(int records)
    {
        _writtenSinceOpen += records;
        if (_writtenSinceOpen < RecordsBeforeReopen)
        {
            return;
        }

        // The new connection is opened before the old one is let go: a failure leaves the old one working.
        _db.Checkpoint();
        _writtenSinceOpen = 0;
        LiteDatabase fresh;
        try
        {
            fresh = new LiteDatabase(ConnectionFor(readOnly: false));
        }
#pragma warning disable CA1031 // Reopening is housekeeping: the catalogue goes on with its current connection.
        catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            return;
        }

        var old = _db;
        _db = fresh;
        old.Dispose();
    }

    private ConnectionString ConnectionFor(bool readOnly) => new() { Filename = Path, Connection = ConnectionType.Direct, ReadOnly = readOnly };

    // Bulk reads go in chunks of this many records, each on a read-only connection of its own:
    // LiteDB caches every page a connection reads, so one connection reading a million series
    // would hold the whole file at its peak; a chunk holds a seventh of a million's worth.
    private const int RecordsPerChunk = 100_000;

    private IEnumerable<SeriesRecord> Read(Func<SeriesRecord, bool>? filter)
    {
        if (!_readOnly)
        {
            // What is committed goes into the data file first, where read-only connections read.
            lock (_gate)
            {
                _db.Checkpoint();
            }
        }

        var count = 0;
        string? last = null;
        try
        {
            while (true)
            {
                List<SeriesRecord> chunk;
                try
                {
                    // Under the writer's gate: a read-only connection reading while the writer
                    // checkpoints (which rewrites the data file and truncates its log) can meet pages
                    // half moved. A chunk is read whole, then the gate is let go for writers.
                    lock (_gate)
                    {
                        using var db = new LiteDatabase(ConnectionFor(readOnly: true));
                        var collection = db.GetCollection<SeriesRecord>(SeriesCollection);

                        // In _id order through the primary index, each chunk after the last one's end.
                        chunk = (last is null ? collection.Find(Query.All(), 0, RecordsPerChunk) : collection.Find(Query.GT("_id", last), 0, RecordsPerChunk)).ToList();
                    }
                }
#pragma warning disable CA1031 // Damaged pages surface as whatever LiteDB's reader meets.
                catch (Exception e) when (e is not OutOfMemoryException and not CatalogueException)
#pragma warning restore CA1031
                {
                    throw new CatalogueException($"{Path} is damaged: a record cannot be read ({e.GetType().Name}). Index the sources again into a new file.", e);
                }

                foreach (var record in chunk)
                {
                    count++;
                    if (filter is null || filter(record))
                    {
                        yield return record;
                    }
                }

                if (chunk.Count < RecordsPerChunk)
                {
                    yield break;
                }

                last = chunk[^1].Id;

                // The chunk's connection and its page cache are garbage: collected now, their memory
                // serves the next chunk instead of adding to it.
                chunk = [];
                GC.Collect(2, GCCollectionMode.Forced, blocking: true);
            }
        }
        finally
        {
            if (count > RecordsBeforeMemoryRelief)
            {
                // The pages read are garbage now; a long-running service gives them back to the OS
                // instead of keeping the high-water mark for ever.
                GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            }
        }
    }

    private static FileStream TakeWriterLock(string path)
    {
        try
        {
            // FileShare.None takes an exclusive lock that other processes see (flock on Unix).
            return new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new CatalogueException($"{path} is being written by another NodeAgent process (its lock {path}.lock is held). Wait for it to finish.", e);
        }
    }

    private static void Migrate(LiteDatabase db, string path)
    {
        var version = db.UserVersion;

        // A LiteDB file of another application (user version 0, collections of its own) is not
        // taken over: migrating it would mix our records into its data.
        var foreign = version == 0 ? db.GetCollectionNames().Where(n => n is not (SeriesCollection or SourcesCollection or ArrivalsCollection)).ToList() : [];
        if (foreign.Count > 0)
        {
            throw new CatalogueException($"{path} is a LiteDB database of another application (it has the collection(s) {string.Join(", ", foreign.Take(3))}); it is left untouched. Give a new file for the catalogue.");
        }

        if (version > SchemaVersion)
        {
            throw new CatalogueException($"{path} was written by a newer NodeAgent (catalogue schema {version}; this one knows up to {SchemaVersion}). Upgrade NodeAgent, or index into a new file.");
        }

        // LiteDB sets the user version outside transactions; each migration is idempotent, so one
        // interrupted between its commit and the version bump is simply run again.
        for (var next = version; next < SchemaVersion; next++)
        {
            db.BeginTrans();
            Migrations[next](db);
            db.Commit();
            db.UserVersion = next + 1;
        }
    }
}
