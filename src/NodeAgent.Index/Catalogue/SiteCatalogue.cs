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
    public const int SchemaVersion = 1;

    private const string SeriesCollection = "series";
    private const string SourcesCollection = "sources";

    // Each entry upgrades a file from the version before it to its own; index 0 creates a new file.
    private static readonly Action<LiteDatabase>[] Migrations =
    [
        db =>
        {
            var series = db.GetCollection<SeriesRecord>(SeriesCollection);
            series.EnsureIndex(s => s.Source);
            series.EnsureIndex(s => s.StudyInstanceUid);
        },
    ];

    private readonly LiteDatabase _db;

    private SiteCatalogue(LiteDatabase db, string path)
    {
        _db = db;
        Path = path;
    }

    public string Path { get; }

    /// <summary>Opens (or creates) the catalogue, migrating an older schema.</summary>
    /// <exception cref="CatalogueException">The file is not a catalogue, is damaged, or is from a newer NodeAgent.</exception>
    public static SiteCatalogue Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        LiteDatabase? db = null;
        try
        {
            db = new LiteDatabase(new ConnectionString { Filename = full, Connection = ConnectionType.Direct });
            Migrate(db, full);
            return new SiteCatalogue(db, full);
        }
        catch (CatalogueException)
        {
            db?.Dispose();
            throw;
        }
#pragma warning disable CA1031 // LiteDB reports a foreign or damaged file with whatever its parser meets (even date overflows): all of it means the same to the site.
        catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            db?.Dispose();
            throw new CatalogueException($"{full} cannot be opened as a catalogue: it is not a NodeAgent catalogue, or it is damaged or in use ({e.GetType().Name}: {e.Message})", e);
        }
    }

    /// <summary>Adds or replaces series records, all or none.</summary>
    public void Upsert(IReadOnlyCollection<SeriesRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        _db.BeginTrans();
        try
        {
            _db.GetCollection<SeriesRecord>(SeriesCollection).Upsert(records);
            _db.Commit();
        }
        catch
        {
            _db.Rollback();
            throw;
        }
    }

    /// <summary>Every series record (streamed).</summary>
    public IEnumerable<SeriesRecord> Series() => _db.GetCollection<SeriesRecord>(SeriesCollection).FindAll();

    public int SeriesCount => _db.GetCollection<SeriesRecord>(SeriesCollection).Count();

    /// <summary>Removes a source's records of series no longer there.</summary>
    public int RemoveSeries(string source, IReadOnlySet<string> keepSeriesUids)
    {
        ArgumentNullException.ThrowIfNull(keepSeriesUids);
        var collection = _db.GetCollection<SeriesRecord>(SeriesCollection);
        var gone = collection.Find(s => s.Source == source).Where(s => !keepSeriesUids.Contains(s.SeriesInstanceUid)).Select(s => s.Id).ToList();
        foreach (var id in gone)
        {
            collection.Delete(id);
        }

        return gone.Count;
    }

    public SourceState? GetSource(string name) => _db.GetCollection<SourceState>(SourcesCollection).FindById(name);

    public IReadOnlyList<SourceState> Sources() => _db.GetCollection<SourceState>(SourcesCollection).FindAll().ToList();

    public void SaveSource(SourceState state) => _db.GetCollection<SourceState>(SourcesCollection).Upsert(state);

    public void Dispose() => _db.Dispose();

    private static void Migrate(LiteDatabase db, string path)
    {
        var version = db.UserVersion;

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
