using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NodeAgent.Testing.Peers;

/// <summary>
/// A throwaway Orthanc ("the hospital PACS") started by shared/tools/orthanc-up.sh on 127.0.0.1, with
/// its REST API at hand. Dispose stops it with orthanc-down.sh and deletes its folder; it is never left running.
/// </summary>
public sealed class OrthancInstance : IAsyncDisposable
{
    private const int ParallelUploads = 4;
    private const int InstancesPerPage = 500;
    private const string DirectoryPrefix = "nodeagent-orthanc-";

    /// <summary>
    /// orthanc-up.sh reads these from the environment before its options. A test runner started from a
    /// shell that exported an earlier instance's values would otherwise give us that instance's ports
    /// and folder (see shared/tools/README.md).
    /// </summary>
    private static readonly string[] InheritedSettings =
    [
        "ORTHANC_HTTP_PORT", "ORTHANC_DICOM_PORT", "ORTHANC_AET", "ORTHANC_MOVE_AET", "ORTHANC_MOVE_PORT",
        "ORTHANC_EXTRA_MODALITIES", "ORTHANC_DIR", "ORTHANC_START_TIMEOUT", "ORTHANC_CONFIG_EXTRA", "ORTHANC_KEEP_FAILED",
    ];

    private readonly HttpClient _http;
    private int _disposed;

    private OrthancInstance(IReadOnlyDictionary<string, string> settings)
    {
        Settings = settings;
        Pid = int.Parse(Require("ORTHANC_PID"), CultureInfo.InvariantCulture);
        Host = Require("ORTHANC_HOST");
        HttpPort = int.Parse(Require("ORTHANC_HTTP_PORT"), CultureInfo.InvariantCulture);
        DicomPort = int.Parse(Require("ORTHANC_DICOM_PORT"), CultureInfo.InvariantCulture);
        AeTitle = Require("ORTHANC_AET");
        HttpUrl = new Uri(Require("ORTHANC_HTTP_URL").TrimEnd('/') + "/");
        DicomWebUrl = settings.TryGetValue("ORTHANC_DICOMWEB_URL", out var dicomWeb) && dicomWeb.Length > 0 ? new Uri(dicomWeb.TrimEnd('/') + "/") : null;
        MoveAeTitle = Require("ORTHANC_MOVE_AET");
        MovePort = settings.TryGetValue("ORTHANC_MOVE_PORT", out var movePort) && movePort.Length > 0 ? int.Parse(movePort, CultureInfo.InvariantCulture) : null;
        Directory = Require("ORTHANC_DIR");
        ConfigurationPath = Require("ORTHANC_CONFIG");
        LogPath = Require("ORTHANC_LOG");
        Version = settings.GetValueOrDefault("ORTHANC_VERSION", "");
        StartupMilliseconds = int.Parse(settings.GetValueOrDefault("ORTHANC_STARTUP_MS", "0"), CultureInfo.InvariantCulture);
        if (Host != LoopbackPeer.Host || HttpUrl.Host != LoopbackPeer.Host)
        {
            throw new InvalidOperationException($"orthanc-up.sh reported a non-loopback address ({Host}, {HttpUrl}).");
        }

        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(10) })
        {
            BaseAddress = HttpUrl,
            Timeout = TimeSpan.FromMinutes(5),
        };

        string Require(string key) =>
            settings.TryGetValue(key, out var value) && value.Length > 0
                ? value
                : throw new InvalidOperationException($"orthanc-up.sh printed no {key}.");
    }

    public int Pid { get; }

    /// <summary>Always 127.0.0.1.</summary>
    public string Host { get; }

    public int HttpPort { get; }

    public int DicomPort { get; }

    public string AeTitle { get; }

    /// <summary>The REST API's root, with a trailing slash.</summary>
    public Uri HttpUrl { get; }

    /// <summary>The DICOMweb root (…/dicom-web/), or null when started without the plugin.</summary>
    public Uri? DicomWebUrl { get; }

    /// <summary>The C-MOVE destination registered at start (its port is null when none was).</summary>
    public string MoveAeTitle { get; }

    public int? MovePort { get; }

    /// <summary>Orthanc's own folder: configuration, log, storage and index. Deleted on dispose.</summary>
    public string Directory { get; }

    public string ConfigurationPath { get; }

    public string LogPath { get; }

    public string Version { get; }

    public int StartupMilliseconds { get; }

    /// <summary>Orthanc's DICOM side as a peer to associate with.</summary>
    public LoopbackPeer Dicom => new(AeTitle, DicomPort);

    /// <summary>Every KEY=VALUE line orthanc-up.sh printed.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>Starts Orthanc and waits until HTTP, DICOM (and DICOMweb) answer from it.</summary>
    public static async Task<OrthancInstance> StartAsync(OrthancStartOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new OrthancStartOptions();
        cancellationToken.ThrowIfCancellationRequested();

        // Our own folder rather than orthanc-up.sh's mktemp: if anything below fails or times out, we
        // still know where the PID file is, so the Orthanc it may have started can be stopped.
        var directory = CreateInstanceDirectory(options.ParentDirectory);
        try
        {
            var arguments = UpArguments(options, directory);
            var timeout = options.StartTimeout + TimeSpan.FromSeconds(30);
            var result = await Task.Run(() => ExternalProcess.Run("/usr/bin/env", arguments, timeout: timeout), cancellationToken);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"orthanc-up.sh failed (exit {result.ExitCode}):\n{result.StandardError.Trim()}");
            }

            var instance = new OrthancInstance(ParseSettings(result.StandardOutput));
            if (cancellationToken.IsCancellationRequested)
            {
                await instance.DisposeAsync();
                cancellationToken.ThrowIfCancellationRequested();
            }

            return instance;
        }
        catch
        {
            await StopAsync(directory);
            throw;
        }
    }

    /// <summary>Stores every file through POST /instances, a few at a time; fails naming how many (and which) were refused.</summary>
    public async Task UploadAsync(IEnumerable<string> files, CancellationToken cancellationToken = default)
    {
        var failures = new ConcurrentQueue<string>();
        var total = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = ParallelUploads, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(files, parallel, async (file, token) =>
        {
            Interlocked.Increment(ref total);
            try
            {
                using var content = new ByteArrayContent(await File.ReadAllBytesAsync(file, token));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/dicom");
                using var response = await _http.PostAsync(Address("instances"), content, token);
                if (!response.IsSuccessStatusCode)
                {
                    failures.Enqueue($"{file}: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(token)}");
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or UnauthorizedAccessException)
            {
                failures.Enqueue($"{file}: {ex.GetType().Name}: {ex.Message}");
            }
        });

        if (!failures.IsEmpty)
        {
            throw new InvalidOperationException(
                $"{failures.Count} of {total} uploads to Orthanc failed:\n{string.Join('\n', failures.Take(10))}{(failures.Count > 10 ? "\n..." : "")}");
        }
    }

    /// <summary>GET a REST resource (path relative to the API root, e.g. "studies" or "/statistics").</summary>
    public async Task<JsonNode> GetJsonAsync(string path, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync(Address(path), cancellationToken);
        return await ReadJsonAsync(response, "GET", path, cancellationToken);
    }

    /// <summary>GET a resource that answers plain text (e.g. "tools/default-encoding").</summary>
    public async Task<string> GetTextAsync(string path, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync(Address(path), cancellationToken);
        await EnsureSuccessAsync(response, "GET", path, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>POST a JSON body (e.g. to "tools/find") and read the JSON answer.</summary>
    public async Task<JsonNode> PostJsonAsync(string path, JsonNode body, CancellationToken cancellationToken = default)
    {
        using var content = JsonContent(body);
        using var response = await _http.PostAsync(Address(path), content, cancellationToken);
        return await ReadJsonAsync(response, "POST", path, cancellationToken);
    }

    /// <summary>PUT a JSON body; the JSON answer, or null when Orthanc answers with an empty body (as PUT /modalities/{name} does).</summary>
    public async Task<JsonNode?> PutJsonAsync(string path, JsonNode body, CancellationToken cancellationToken = default)
    {
        using var content = JsonContent(body);
        using var response = await _http.PutAsync(Address(path), content, cancellationToken);
        await EnsureSuccessAsync(response, "PUT", path, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return text.Length == 0 ? null : ParseJson(text, "PUT", path);
    }

    /// <summary>DELETE a resource (e.g. "studies/{id}": the study and its instances go).</summary>
    public async Task DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        using var response = await _http.DeleteAsync(Address(path), cancellationToken);
        await EnsureSuccessAsync(response, "DELETE", path, cancellationToken);
    }

    /// <summary>
    /// Study Instance UIDs of the studies matching a /tools/find query (all studies when null). An
    /// Orthanc started with LimitFindResults cuts this list too: count with GET /statistics then.
    /// </summary>
    public async Task<IReadOnlyList<string>> FindStudyUidsAsync(JsonObject? query = null, CancellationToken cancellationToken = default)
    {
        var request = new JsonObject { ["Level"] = "Study", ["Query"] = query ?? [], ["Expand"] = true };
        var answer = await PostJsonAsync("tools/find", request, cancellationToken);
        return answer.AsArray().Select(study => study!["MainDicomTags"]!["StudyInstanceUID"]!.GetValue<string>()).ToArray();
    }

    /// <summary>How many instances Orthanc holds (GET /statistics).</summary>
    public async Task<int> CountInstancesAsync(CancellationToken cancellationToken = default)
    {
        var statistics = await GetJsonAsync("statistics", cancellationToken);
        return statistics["CountInstances"]!.GetValue<int>();
    }

    /// <summary>SOP Instance UID → Orthanc's instance ID, for every stored instance (paged /instances?expand, so no find limit applies).</summary>
    public async Task<IReadOnlyDictionary<string, string>> SopInstanceUidToOrthancIdAsync(CancellationToken cancellationToken = default)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var since = 0; ; since += InstancesPerPage)
        {
            var page = (await GetJsonAsync($"instances?expand&since={since}&limit={InstancesPerPage}", cancellationToken)).AsArray();
            foreach (var instance in page)
            {
                map[instance!["MainDicomTags"]!["SOPInstanceUID"]!.GetValue<string>()] = instance["ID"]!.GetValue<string>();
            }

            if (page.Count < InstancesPerPage)
            {
                return map;
            }
        }
    }

    /// <summary>The stored Part 10 file of an instance, byte for byte as Orthanc keeps it.</summary>
    public async Task<byte[]> GetInstanceFileAsync(string orthancId, CancellationToken cancellationToken = default)
    {
        var path = $"instances/{Uri.EscapeDataString(orthancId)}/file";
        using var response = await _http.GetAsync(Address(path), cancellationToken);
        await EnsureSuccessAsync(response, "GET", path, cancellationToken);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    /// <summary>Registers (or replaces) a C-MOVE/C-STORE destination on 127.0.0.1; takes effect without a restart.</summary>
    public async Task RegisterModalityAsync(string name, string aeTitle, int port, CancellationToken cancellationToken = default)
    {
        var modality = JsonSerializer.SerializeToNode(new { AET = aeTitle, Host = LoopbackPeer.Host, Port = port })!;
        await PutJsonAsync($"modalities/{Uri.EscapeDataString(name)}", modality, cancellationToken);
    }

    /// <summary>Stops Orthanc (SIGTERM, then SIGKILL after 20 s) and deletes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _http.Dispose();
        await StopAsync(Directory, Pid);
    }

    public override string ToString() => $"Orthanc {Version} pid {Pid} http={HttpUrl} dicom={AeTitle}@{Host}:{DicomPort}";

    private static List<string> UpArguments(OrthancStartOptions options, string directory)
    {
        var arguments = new List<string>();
        foreach (var name in InheritedSettings)
        {
            arguments.AddRange(["-u", name]);
        }

        arguments.AddRange(
        [
            RepositoryPaths.Tool("orthanc-up.sh"),
            "--dir", directory,
            "--aet", options.AeTitle,
            "--move-aet", options.MoveAeTitle,
            "--timeout", ((int)Math.Ceiling(options.StartTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture),
        ]);
        if (options.MovePort is int movePort)
        {
            arguments.AddRange(["--move-port", movePort.ToString(CultureInfo.InvariantCulture)]);
        }

        foreach (var modality in options.Modalities)
        {
            arguments.AddRange(["--modality", modality.ToString()]);
        }

        if (options.HttpPort is int httpPort)
        {
            arguments.AddRange(["--http-port", httpPort.ToString(CultureInfo.InvariantCulture)]);
        }

        if (options.DicomPort is int dicomPort)
        {
            arguments.AddRange(["--dicom-port", dicomPort.ToString(CultureInfo.InvariantCulture)]);
        }

        if (!options.DicomWeb)
        {
            arguments.Add("--no-dicomweb");
        }

        if (options.ConfigurationOverrides is { } overrides)
        {
            // Checked here so that a typo fails with the JSON error, not with a python traceback from the script.
            if (JsonNode.Parse(overrides) is not JsonObject)
            {
                throw new ArgumentException("Orthanc configuration overrides must be a JSON object.", nameof(options));
            }

            var file = Path.Combine(directory, "config-overrides.json");
            File.WriteAllText(file, overrides);
            arguments.AddRange(["--config-extra", file]);
        }

        return arguments;
    }

    private static string CreateInstanceDirectory(string? parent)
    {
        if (parent is null)
        {
            return System.IO.Directory.CreateTempSubdirectory(DirectoryPrefix).FullName;
        }

        var directory = Path.Combine(Path.GetFullPath(parent), DirectoryPrefix + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        return directory;
    }

    private static Dictionary<string, string> ParseSettings(string output)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                settings[line[..equals]] = line[(equals + 1)..];
            }
        }

        return settings;
    }

    /// <summary>
    /// orthanc-down.sh takes the PID from the folder, checks it is Orthanc, stops it and deletes the
    /// folder. Whatever it manages, we then make sure ourselves that no Orthanc of ours survives.
    /// </summary>
    private static async Task StopAsync(string directory, int? knownPid = null)
    {
        var pid = knownPid ?? ReadPidFile(directory);
        string? downError = null;
        try
        {
            var down = await Task.Run(() => ExternalProcess.Run(RepositoryPaths.Tool("orthanc-down.sh"), [directory, "--timeout", "20"], timeout: TimeSpan.FromSeconds(60)));
            if (down.ExitCode != 0)
            {
                downError = down.StandardError.Trim();
            }
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
        {
            downError = ex.Message;
        }

        if (pid is int orthancPid && ProcessLiveness.IsAlive(orthancPid) && IsOrthanc(orthancPid))
        {
            try
            {
                using var process = Process.GetProcessById(orthancPid);
                process.Kill();
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // It exited between the check and the kill.
            }

            if (!await ProcessLiveness.WaitUntilGoneAsync(orthancPid, TimeSpan.FromSeconds(10)))
            {
                throw new InvalidOperationException($"Orthanc pid {orthancPid} survived orthanc-down.sh and SIGKILL. orthanc-down.sh: {downError}");
            }
        }

        if (System.IO.Directory.Exists(directory))
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
    }

    private static int? ReadPidFile(string directory)
    {
        var file = Path.Combine(directory, "orthanc.pid");
        return File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    private static bool IsOrthanc(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim() == "Orthanc";
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static StringContent JsonContent(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    /// <summary>Resolves a path against the API root and refuses anything that would leave 127.0.0.1:HttpPort.</summary>
    private Uri Address(string path)
    {
        var address = new Uri(HttpUrl, path);
        if (address.Scheme != Uri.UriSchemeHttp || address.Host != LoopbackPeer.Host || address.Port != HttpPort)
        {
            throw new ArgumentException($"'{path}' does not stay on Orthanc's own address {HttpUrl}.", nameof(path));
        }

        return address;
    }

    private static async Task<JsonNode> ReadJsonAsync(HttpResponseMessage response, string method, string path, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, method, path, cancellationToken);
        return ParseJson(await response.Content.ReadAsStringAsync(cancellationToken), method, path);
    }

    private static JsonNode ParseJson(string text, string method, string path)
    {
        try
        {
            return JsonNode.Parse(text) ?? throw new InvalidOperationException($"{method} {path}: Orthanc answered JSON null.");
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"{method} {path}: Orthanc's answer is not JSON: {text[..Math.Min(text.Length, 500)]}", ex);
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string method, string path, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpRequestException($"{method} {path}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}: {body[..Math.Min(body.Length, 1000)]}", null, response.StatusCode);
        }
    }
}
