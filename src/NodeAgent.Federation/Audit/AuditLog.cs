using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Win32.SafeHandles;

namespace NodeAgent.Federation.Audit;

/// <summary>
/// An append-only log of every federation request and what was released, one JSON line each, chained:
/// each line carries the MAC of the line before it and its own MAC (HMAC-SHA256 under a key derived
/// from the site secret), so that editing, deleting, inserting or reordering lines is detected by
/// <see cref="AuditVerifier"/>, and nobody without the site secret can forge a consistent chain.
/// Lines hold the requester's name, the method, the canonical query's hash and the released values:
/// nothing that identifies a patient. A line is written (and flushed to the OS) before its answer is
/// sent; a line cut short by a crash was never answered and is dropped when the log is next opened.
/// </summary>
public sealed class AuditLog : IDisposable
{
    private readonly byte[] _key;
    private readonly Lock _lock = new();
    private readonly SafeFileHandle _file;
    private long _length;
    private long _sequence;
    private string _previous;
    private long _lastSync;

    private AuditLog(string path, byte[] key, SafeFileHandle file, long length, long sequence, string previous)
    {
        Path = path;
        _key = key;
        _file = file;
        _length = length;
        _sequence = sequence;
        _previous = previous;
    }

    public string Path { get; }

    /// <summary>The sequence number and MAC of the last entry: logged by the service to its journal, as an anchor the file cannot change.</summary>
    public (long Sequence, string Mac) Head
    {
        get
        {
            lock (_lock)
            {
                return (_sequence, _previous);
            }
        }
    }

    /// <summary>Opens (or creates) the log and continues its chain.</summary>
    /// <exception cref="AuditException">The log's last complete line is not a line of ours.</exception>
    public static AuditLog Open(string path, byte[] key)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(key);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var file = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            var (sequence, previous, completeLength) = LastEntry(file, key);

            if (completeLength < RandomAccess.GetLength(file))
            {
                // A line the crash cut short: its answer was never sent.
                RandomAccess.SetLength(file, completeLength);
            }

            return new AuditLog(path, key, file, completeLength, sequence, previous);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The MAC a chain starts from: bound to the key, so a chain cannot be moved under another.</summary>
    public static string Genesis(byte[] key) => Convert.ToHexStringLower(HMACSHA256.HashData(key, "nodeagent audit genesis"u8));

    /// <summary>Appends one entry; returns its sequence number.</summary>
    public long Record(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);

        // Everything but the chain (sequence and previous MAC) is formatted outside the lock, so
        // concurrent answers wait for one another only for a MAC and one write.
        var fields = new JsonObject
        {
            ["time"] = entry.Time.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["requester"] = entry.Requester,
            ["method"] = entry.Method,
            ["query"] = entry.QueryHash,
            ["outcome"] = entry.Outcome,
            ["released"] = entry.Released is null ? null : new JsonObject(entry.Released.Select(r => KeyValuePair.Create(r.Key, (JsonNode?)JsonValue.Create(r.Value)))),
        }.ToJsonString();
        var middle = fields[1..^1];
        long sequence;
        lock (_lock)
        {
            // The text JsonObject would give for {seq, time, ..., released, prev}: the MAC covers the
            // exact text written (the line without its mac field), escaping and spacing included.
            var body = "{\"seq\":" + (_sequence + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) + "," + middle + ",\"prev\":\"" + _previous + "\"}";
            var mac = Mac(_key, body);
            var bytes = Encoding.UTF8.GetBytes(WithMac(body, mac) + "\n");
            try
            {
                RandomAccess.Write(_file, bytes, _length);
            }
            catch (IOException)
            {
                // A line half written would break the chain for every line after it: cut it off.
                // The answer is not sent (the caller sees the failure).
                RandomAccess.SetLength(_file, _length);
                throw;
            }

            _length += bytes.Length;
            _sequence++;
            _previous = mac;
            sequence = _sequence;
        }

        // To the OS with every line (the write above); to the disk at most once a second, which bounds
        // what a power cut can take without an fsync on every answer. Outside the lock: an fsync can
        // take milliseconds, and other answers need not wait for it.
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastSync);
        if (now - last >= 1000 && Interlocked.CompareExchange(ref _lastSync, now, last) == last)
        {
            RandomAccess.FlushToDisk(_file);
        }

        return sequence;
    }

    /// <summary>Forces the lines written so far to disk.</summary>
    public void Sync()
    {
        lock (_lock)
        {
            RandomAccess.FlushToDisk(_file);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (!_file.IsClosed)
            {
                RandomAccess.FlushToDisk(_file);
                _file.Dispose();
            }
        }
    }

    internal static string Mac(byte[] key, string lineWithoutMac) => Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(lineWithoutMac)));

    internal const string MacField = ",\"mac\":\"";

    internal static string WithMac(string body, string mac) => body[..^1] + MacField + mac + "\"}";

    /// <summary>The line without its mac field, as it was MACed, and the mac; null when the line does not end in one.</summary>
    internal static (string Body, string Mac)? SplitMac(string line)
    {
        var at = line.LastIndexOf(MacField, StringComparison.Ordinal);
        if (at < 0 || !line.EndsWith("\"}", StringComparison.Ordinal) || line.Length - at - MacField.Length - 2 != 64)
        {
            return null;
        }

        return (line[..at] + "}", line.Substring(at + MacField.Length, 64));
    }

    private static (long Sequence, string Previous, long CompleteLength) LastEntry(SafeFileHandle file, byte[] key)
    {
        var length = RandomAccess.GetLength(file);
        if (length == 0)
        {
            return (0, Genesis(key), 0);
        }

        // Read backwards until the last complete line is whole in the buffer (lines have no fixed limit).
        var tail = (int)Math.Min(length, 64 * 1024);
        byte[] buffer;
        int end, start;
        while (true)
        {
            buffer = new byte[tail];
            for (var read = 0; read < tail;)
            {
                var got = RandomAccess.Read(file, buffer.AsSpan(read), length - tail + read);
                read += got > 0 ? got : throw new AuditException("The audit log changed size while it was opened.");
            }

            end = Array.LastIndexOf(buffer, (byte)'\n');
            if (end < 0 && length <= tail)
            {
                return (0, Genesis(key), 0); // not one complete line: all of it was cut short
            }

            start = end <= 0 ? -1 : Array.LastIndexOf(buffer, (byte)'\n', end - 1);
            if (end >= 0 && (start >= 0 || length <= tail))
            {
                start++;
                break;
            }

            if (tail >= length || tail >= 64 * 1024 * 1024)
            {
                throw new AuditException("The audit log's last line is longer than 64 MiB: it is not an audit log of ours.");
            }

            tail = (int)Math.Min(length, (long)tail * 4);
        }

        var completeLength = length - tail + end + 1;
        try
        {
            var text = Encoding.UTF8.GetString(buffer, start, end - start);
            var last = JsonNode.Parse(text)!.AsObject();
            var split = SplitMac(text) ?? throw new FormatException("no mac");
            return (last["seq"]!.GetValue<long>(), split.Mac, completeLength);
        }
        catch (Exception e) when (e is JsonException or NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new AuditException($"The audit log's last line is not an audit entry ({e.GetType().Name}); run nodeagent audit verify on it.", e);
        }
    }
}

/// <summary>One request and its outcome, as the audit log records it.</summary>
public sealed record AuditEntry(DateTimeOffset Time, string Requester, string Method, string? QueryHash, string Outcome, IReadOnlyDictionary<string, string>? Released);
