using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Win32.SafeHandles;
using NodeAgent.Federation.Audit.Internal;

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
    // A batch larger than this (a burst of huge lines) does not keep its buffer.
    private const int KeptBatchCapacity = 1024 * 1024;

    private readonly Lock _head = new();
    private readonly SafeFileHandle _file;
    private readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private readonly Timer _syncTimer;

    // The writer's own: one keyed context, reset per line (the one-shot sets one up per call), and
    // one buffer for a batch's lines. Only the single writer loop touches them.
    private readonly IncrementalHash _lineMac;
    private readonly byte[] _lastMac = new byte[64];
    private ArrayBufferWriter<byte> _batch = new(64 * 1024);
    private long _length;
    private long _sequence;
    private string _previous;
    private long _written;
    private long _synced;
    private int _syncing;
    private int _disposed;
    private volatile Exception? _broken;

    private AuditLog(string path, byte[] key, SafeFileHandle file, long length, long sequence, string previous)
    {
        Path = path;
        _file = file;
        _length = length;
        _sequence = sequence;
        _previous = previous;
        _lineMac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);

        // One writer: answers queue their lines and wait without holding a thread or a lock, and
        // lines that arrive together go out in one write (group commit). It runs on the thread pool
        // only while there are lines to write; between them it holds no thread and does not spin.
        _writer = Task.Run(WriteLoopAsync);

        // To the disk once a second when anything was written: off the writer, so that lines queued
        // meanwhile are not held up by an fsync; and also when no further line comes.
        _syncTimer = new Timer(_ => SyncIfWritten(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public string Path { get; }

    /// <summary>The sequence number and MAC of the last entry: logged by the service to its journal, as an anchor the file cannot change.</summary>
    public (long Sequence, string Mac) Head
    {
        get
        {
            lock (_head)
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

    /// <summary>Appends one entry; completes when it is written (to the OS), with its sequence number.</summary>
    /// <exception cref="IOException">The line could not be written: nothing of it is in the log.</exception>
    /// <exception cref="AuditException">The log failed to reach the disk earlier and takes no more lines.</exception>
    public Task<long> RecordAsync(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);

        // Everything but the chain (sequence and previous MAC) is formatted here, by the caller.
        var pending = new Pending(AuditFields.Format(entry));
        if (!_pending.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(AuditLog), "The audit log is closed.");
        }

        return pending.Done.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>();
        var reader = _pending.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < 1024 && reader.TryRead(out var next))
                {
                    batch.Add(next);
                }

                try
                {
                    WriteBatch(batch);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // Not an I/O error of one write (those are handled per batch): the file itself is
                    // unusable. Nobody may wait forever: these lines and all later ones fail.
                    _broken ??= e;
                    CutBack();
                    batch.ForEach(p => p.Done.TrySetException(e));
                }
            }
        }
        catch (Exception e)
        {
            // The writer itself cannot go on (out of memory): close the queue so that new lines are
            // refused at once, and fail every line still waiting rather than leave it hanging.
            _broken ??= e;
            _pending.Writer.TryComplete(e);
            batch.ForEach(p => p.Done.TrySetException(e));
            while (reader.TryRead(out var left))
            {
                left.Done.TrySetException(e);
            }

            throw;
        }
    }

    /// <summary>Cuts the file back to its last whole line; if even that fails, the log takes no more lines.</summary>
    private void CutBack()
    {
        try
        {
            RandomAccess.SetLength(_file, _length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // Whole, MAC'd lines of answers that were refused may be left beyond the chain's end.
            _broken ??= e;
        }
    }

    private void WriteBatch(List<Pending> batch)
    {
        if (_broken is { } failure)
        {
            var refused = new AuditException("The audit log could not be written or flushed to disk earlier; no answer is released until the service restarts with a working disk.", failure);
            batch.ForEach(p => p.Done.TrySetException(refused));
            return;
        }

        if (batch.Count == 0)
        {
            return;
        }

        // The chain as JsonObject would write {seq, time, ..., released, prev}: the MAC covers the
        // exact text written (the line without its mac field), escaping and spacing included. Each
        // line is {"seq":n,<fields>,"prev":"<mac before>","mac":"<its mac>"}, and its MAC is that of
        // the same text with the mac field left out, written here as UTF-8 straight to the batch.
        var sequence = _sequence;
        ReadOnlySpan<byte> previous = Encoding.UTF8.GetBytes(_previous);
        var text = _batch;
        text.ResetWrittenCount();
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        foreach (var pending in batch)
        {
            sequence++;
            var start = text.WrittenCount;
            text.Write("{\"seq\":"u8);
            sequence.TryFormat(text.GetSpan(20), out var digits, default, System.Globalization.CultureInfo.InvariantCulture);
            text.Advance(digits);
            text.Write(","u8);
            text.Write(pending.Middle);
            text.Write(",\"prev\":\""u8);
            text.Write(previous);
            text.Write("\""u8);
            _lineMac.AppendData(text.WrittenSpan[start..]);
            _lineMac.AppendData("}"u8);
            _lineMac.GetHashAndReset(mac);
            Convert.TryToHexStringLower(mac, _lastMac, out _);
            previous = _lastMac;
            text.Write(MacFieldUtf8);
            text.Write(_lastMac);
            text.Write("\"}\n"u8);
        }

        var bytes = text.WrittenSpan;
        try
        {
            RandomAccess.Write(_file, bytes, _length);
        }
        catch (IOException e)
        {
            // A line half written would break the chain for every line after it, and whole lines of
            // this batch would stand for answers that are not sent: cut them all off.
            CutBack();
            batch.ForEach(p => p.Done.TrySetException(e));
            return;
        }

        _length += bytes.Length;
        Interlocked.Increment(ref _written);
        if (text.Capacity > KeptBatchCapacity)
        {
            _batch = new ArrayBufferWriter<byte>(64 * 1024);
        }

        lock (_head)
        {
            _previous = Encoding.ASCII.GetString(_lastMac);
            var first = _sequence;
            _sequence = sequence;
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Done.TrySetResult(first + i + 1);
            }
        }
    }

    private void SyncIfWritten()
    {
        var written = Interlocked.Read(ref _written);
        if (written == _synced || Interlocked.Exchange(ref _syncing, 1) == 1)
        {
            return;
        }

        try
        {
            RandomAccess.FlushToDisk(_file);
            _synced = written;
        }
        catch (ObjectDisposedException)
        {
            // Closed meanwhile: Dispose flushed everything written.
        }
        catch (IOException e)
        {
            // After a failed fsync the kernel may have dropped lines already written, and a retry
            // would not say so (Linux clears the error): the log can no longer vouch for what it
            // holds, so every later answer is withheld.
            _broken ??= e;
        }
        finally
        {
            Volatile.Write(ref _syncing, 0);
        }
    }

    /// <summary>Writes what is queued, forces it to disk and closes the file.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _pending.Writer.TryComplete();
        _syncTimer.Dispose();
        try
        {
            _writer.GetAwaiter().GetResult();
            RandomAccess.SetLength(_file, _length); // nothing beyond the chain's last line
            RandomAccess.FlushToDisk(_file);
        }
        finally
        {
            _file.Dispose();
            _lineMac.Dispose();
        }
    }

    /// <summary>A line waiting for the writer: its fields, formatted as UTF-8; its sequence number once written.</summary>
    private sealed class Pending(byte[] middle)
    {
        public byte[] Middle { get; } = middle;

        public TaskCompletionSource<long> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    internal static string Mac(byte[] key, string lineWithoutMac) => Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(lineWithoutMac)));

    internal const string MacField = ",\"mac\":\"";

    private static ReadOnlySpan<byte> MacFieldUtf8 => ",\"mac\":\""u8;

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
