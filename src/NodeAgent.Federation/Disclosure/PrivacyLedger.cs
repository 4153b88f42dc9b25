using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace NodeAgent.Federation.Disclosure;

/// <summary>
/// The privacy budget each requester spends, per calendar month (UTC): a release of a query not asked
/// before in the month costs its epsilon; the same query again costs nothing (its noise is the same
/// answer, so it teaches nothing new). When a requester's budget for the month is spent, new queries
/// are refused until the next month. Charges are appended to a file and replayed at start, so a
/// restart forgets nothing.
/// </summary>
public sealed class PrivacyLedger : IDisposable
{
    private readonly Lock _lock = new();
    private readonly SafeFileHandle _file;
    private long _length;
    private readonly TimeProvider _time;
    private readonly Dictionary<(string Period, string Requester), (double Spent, HashSet<string> Keys)> _spent = [];

    // A charge's line is formatted on the charging thread, into a buffer of that thread's.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_line;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    private PrivacyLedger(string path, double budget, TimeProvider time, SafeFileHandle file)
    {
        Path = path;
        Budget = budget;
        _time = time;
        _file = file;
        _length = RandomAccess.GetLength(file);
    }

    public string Path { get; }

    /// <summary>Epsilon per requester per month.</summary>
    public double Budget { get; }

    public static PrivacyLedger Open(string path, double budget, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(time);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var charges = new List<Charge>();
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path))
            {
                try
                {
                    if (JsonSerializer.Deserialize(line, LedgerJson.Default.Charge) is { } charge)
                    {
                        charges.Add(charge);
                    }
                }
                catch (JsonException)
                {
                    // A line cut short by a crash: that charge's answer was never sent.
                }
            }
        }

        var file = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
        PrivacyLedger ledger;
        try
        {
            var length = RandomAccess.GetLength(file);
            if (length > 0 && LastByte(path) != '\n')
            {
                // A line cut short by a crash: the next charge starts on a line of its own.
                RandomAccess.Write(file, "\n"u8, length);
            }

            ledger = new PrivacyLedger(path, budget, time, file);
        }
        catch
        {
            file.Dispose();
            throw;
        }

        foreach (var charge in charges)
        {
            ledger.Apply(charge);
        }

        return ledger;
    }

    /// <summary>
    /// Charges <paramref name="epsilon"/> to the requester for a release keyed by <paramref name="key"/>
    /// (the canonical query and what is released of it), unless already charged this month.
    /// </summary>
    /// <returns>False when the month's budget cannot pay for it: nothing is charged and nothing may be released.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> is not a finite number.</exception>
    public bool TryCharge(string requester, string key, double epsilon)
    {
        // Refused before anything else, the query charged already included: a NaN would pass every
        // budget comparison below, and no line could record it.
        if (!double.IsFinite(epsilon))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "A charge is a finite epsilon.");
        }

        if (epsilon <= 0)
        {
            return true;
        }

        var period = Period();
        lock (_lock)
        {
            // The same query again (the common case) costs nothing, and is not formatted.
            if (Account(period, requester).Keys.Contains(key))
            {
                return true;
            }
        }

        // Formatted before the lock: concurrent queries wait for one another only for the write.
        var charge = new Charge(period, requester, key, epsilon);
        var line = Line(charge);
        lock (_lock)
        {
            var account = Account(period, requester);
            if (account.Keys.Contains(key))
            {
                return true;
            }

            if (account.Spent + epsilon > Budget + 1e-9)
            {
                return false;
            }

            // One write of the line and its end, at the end of the file: to the OS before the answer leaves.
            RandomAccess.Write(_file, line, _length);
            _length += line.Length;
            Apply(charge);
            return true;
        }
    }

    /// <summary>The charge's line and its end, as JsonSerializer.SerializeToUtf8Bytes writes it with <see cref="LedgerJson"/>.</summary>
    private static ReadOnlySpan<byte> Line(Charge charge)
    {
        var line = t_line ??= new ArrayBufferWriter<byte>(256);
        line.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(line, WriterOptions(LedgerJson.Default.Options));
        writer.Reset(line);
        JsonSerializer.Serialize(writer, charge, LedgerJson.Default.Charge);
        writer.Flush();
        line.Write("\n"u8);
        return line.WrittenSpan;
    }

    // What the serializer itself writes with under these options.
    private static JsonWriterOptions WriterOptions(JsonSerializerOptions options) => new()
    {
        Encoder = options.Encoder,
        Indented = options.WriteIndented,
        IndentCharacter = options.IndentCharacter,
        IndentSize = options.IndentSize,
        NewLine = options.NewLine,
        MaxDepth = options.MaxDepth,
    };

    /// <summary>What the requester has spent this month.</summary>
    public double Spent(string requester)
    {
        lock (_lock)
        {
            return Account(Period(), requester).Spent;
        }
    }

    /// <summary>When the current period ends and budgets renew.</summary>
    public DateTimeOffset Renews
    {
        get
        {
            var now = _time.GetUtcNow();
            return new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
        }
    }

    public void Dispose() => _file.Dispose();

    private static int LastByte(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(-1, SeekOrigin.End);
        return stream.ReadByte();
    }

    private string Period() => _time.GetUtcNow().ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private (double Spent, HashSet<string> Keys) Account(string period, string requester) =>
        _spent.TryGetValue((period, requester), out var account) ? account : (0, []);

    private void Apply(Charge charge)
    {
        var account = Account(charge.Period, charge.Requester);
        if (account.Keys.Add(charge.Key))
        {
            _spent[(charge.Period, charge.Requester)] = (account.Spent + charge.Epsilon, account.Keys);
        }
    }
}

/// <summary>One charge as the ledger file records it.</summary>
public sealed record Charge(string Period, string Requester, string Key, double Epsilon);

[System.Text.Json.Serialization.JsonSerializable(typeof(Charge))]
internal sealed partial class LedgerJson : System.Text.Json.Serialization.JsonSerializerContext;
