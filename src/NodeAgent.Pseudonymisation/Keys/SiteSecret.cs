using System.Security.Cryptography;

namespace NodeAgent.Pseudonymisation.Keys;

/// <summary>
/// The site's pseudonymisation key: a file of at least 32 random bytes, readable only by the service
/// account. The same key gives the same pseudonyms, so every run and every node of a site agrees;
/// its <see cref="KeyId"/> is recorded in the outputs so a rotated key can be told apart.
/// </summary>
public sealed class SiteSecret
{
    public const int MinimumLength = 32;

    // Larger files are accepted but only this much is read: a key file is never megabytes.
    private const int MaximumLength = 4096;

    private SiteSecret(byte[] key)
    {
        Key = key;
        KeyId = Convert.ToHexStringLower(SHA256.HashData([.. "nodeagent-key-id:"u8, .. key]).AsSpan(0, 4));
    }

    /// <summary>A public fingerprint of the key (8 hex digits); it reveals nothing about the key.</summary>
    public string KeyId { get; }

    internal byte[] Key { get; }

    /// <summary>
    /// A 32-byte key for another use of the site secret (the disclosure noise, say), derived with
    /// HMAC-SHA256 under a purpose label: keys of different purposes cannot be computed from each other.
    /// </summary>
    public byte[] DeriveKey(string purpose)
    {
        ArgumentException.ThrowIfNullOrEmpty(purpose);
        return System.Security.Cryptography.HMACSHA256.HashData(Key, System.Text.Encoding.UTF8.GetBytes("nodeagent/derived/" + purpose));
    }

    /// <summary>Reads the secret, refusing a short file or one that others can read.</summary>
    /// <exception cref="SiteSecretException">The file is missing, unreadable, too short or too open.</exception>
    public static SiteSecret Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new SiteSecretException($"The secret file {path} does not exist. Create one with: head -c 32 /dev/urandom > {path} && chmod 600 {path}");
        }

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            {
                throw new SiteSecretException($"The secret file {path} can be read or written by other users (mode {Convert.ToString((int)mode, 8)}); make it readable only by the service account: chmod 600 {path}");
            }
        }

        byte[] key;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var buffer = new byte[MaximumLength];
            var length = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            key = buffer[..length];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SiteSecretException($"The secret file {path} cannot be read: {e.Message}", e);
        }

        return key.Length < MinimumLength
            ? throw new SiteSecretException($"The secret file {path} holds {key.Length} bytes; at least {MinimumLength} random bytes are needed (head -c 32 /dev/urandom > {path}).")
            : new SiteSecret(key);
    }

    /// <summary>Creates a new secret file (0600) with 32 random bytes, or loads the one already there.</summary>
    public static SiteSecret CreateOrLoad(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            try
            {
                using var stream = new FileStream(path, options);
                stream.Write(RandomNumberGenerator.GetBytes(MinimumLength));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first: use theirs.
            }
        }

        return Load(path);
    }

    /// <summary>A key that lives only in memory, for previews whose pseudonyms need not match a real run.</summary>
    public static SiteSecret CreateEphemeral() => new(RandomNumberGenerator.GetBytes(MinimumLength));

    /// <summary>A secret from the bytes given, for tests and for keys held elsewhere (a vault).</summary>
    public static SiteSecret FromBytes(ReadOnlySpan<byte> key) =>
        key.Length < MinimumLength ? throw new SiteSecretException($"A secret needs at least {MinimumLength} bytes.") : new SiteSecret(key.ToArray());
}
