using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NodeAgent.Pseudonymisation.Keys;

namespace NodeAgent.Pseudonymisation.ReIdentification;

/// <summary>
/// The optional, site-only link from pseudonyms back to originals (off by default). Each mapping is
/// one line: a random nonce, the AES-256-GCM ciphertext of the pair and its tag, in base 64, under a
/// key of its own (never the pseudonymisation secret), so the file alone reveals nothing and any
/// edit is detected. Append-only; the same pair is written once per process. Thread-safe.
/// </summary>
public sealed class ReIdentificationStore : IDisposable
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly AesGcm _aes;
    private readonly byte[] _associatedData;
    private readonly StreamWriter _writer;
    private readonly HashSet<(string, string)> _written = [];
    private readonly Lock _lock = new();

    private ReIdentificationStore(SiteSecret key, StreamWriter writer)
    {
        _aes = new AesGcm(DeriveKey(key), TagSize);
        _associatedData = Encoding.ASCII.GetBytes("nodeagent-reid-v1:" + key.KeyId);
        _writer = writer;
    }

    /// <summary>Opens (or creates, 0600) the store at <paramref name="path"/> for appending.</summary>
    public static ReIdentificationStore Open(string path, SiteSecret key)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(key);
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        // Each mapping reaches the file before the output it belongs to is renamed into place, so a
        // killed run cannot leave an output whose mapping is lost (the next run would skip it).
        return new ReIdentificationStore(key, new StreamWriter(new FileStream(path, options), new UTF8Encoding(false)) { AutoFlush = true });
    }

    /// <summary>Reads every mapping of a store; a line that was altered, or written under another key, throws.</summary>
    public static IEnumerable<ReIdentificationRecord> Read(string path, SiteSecret key)
    {
        ArgumentNullException.ThrowIfNull(key);
        using var aes = new AesGcm(DeriveKey(key), TagSize);
        var associatedData = Encoding.ASCII.GetBytes("nodeagent-reid-v1:" + key.KeyId);
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            byte[] sealedBytes;
            try
            {
                sealedBytes = Convert.FromBase64String(line);
            }
            catch (FormatException)
            {
                throw new InvalidDataException($"Re-identification store line {lineNumber} is not base 64.");
            }

            if (sealedBytes.Length < NonceSize + TagSize)
            {
                throw new InvalidDataException($"Re-identification store line {lineNumber} is too short.");
            }

            var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
            try
            {
                aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), plain, associatedData);
            }
            catch (AuthenticationTagMismatchException)
            {
                throw new InvalidDataException($"Re-identification store line {lineNumber} was altered, or written under another key.");
            }

            var record = JsonSerializer.Deserialize(plain, ReIdentificationJsonContext.Default.ReIdentificationRecord)
                ?? throw new InvalidDataException($"Re-identification store line {lineNumber} is empty.");
            yield return record;
        }
    }

    /// <summary>Records that <paramref name="original"/> of <paramref name="kind"/> became <paramref name="pseudonym"/>.</summary>
    public void Record(string kind, string original, string pseudonym)
    {
        lock (_lock)
        {
            if (!_written.Add((kind, original)))
            {
                return;
            }

            var plain = JsonSerializer.SerializeToUtf8Bytes(new ReIdentificationRecord(kind, original, pseudonym), ReIdentificationJsonContext.Default.ReIdentificationRecord);
            var sealedBytes = new byte[NonceSize + TagSize + plain.Length];
            RandomNumberGenerator.Fill(sealedBytes.AsSpan(0, NonceSize));
            _aes.Encrypt(sealedBytes.AsSpan(0, NonceSize), plain, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), _associatedData);
            CryptographicOperations.ZeroMemory(plain);
            _writer.WriteLine(Convert.ToBase64String(sealedBytes));
        }
    }

    /// <summary>Writes what is buffered to disk.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            _writer.Flush();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _writer.Dispose();
            _aes.Dispose();
        }
    }

    private static byte[] DeriveKey(SiteSecret key) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, key.Key, 32, info: "nodeagent re-identification store"u8.ToArray());
}
