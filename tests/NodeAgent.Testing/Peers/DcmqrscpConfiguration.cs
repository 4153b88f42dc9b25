using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace NodeAgent.Testing.Peers;

/// <summary>
/// A configuration file for DCMTK's dcmqrscp (format: DCMTK's dcmqrdb/docs/dcmqrcnf.txt; Debian ships
/// only the example /etc/dcmtk/dcmqrscp.cfg): one storage area served under one AE title, which any
/// calling AE may query, retrieve from and (unless read-only) store into, plus the loopback peers it
/// may send C-MOVE results to (a C-MOVE destination must be in the host table).
/// </summary>
public sealed partial class DcmqrscpConfiguration
{
    public DcmqrscpConfiguration(string aeTitle, string storageDirectory)
    {
        if (!AeTitlePattern().IsMatch(aeTitle))
        {
            throw new ArgumentException($"'{aeTitle}' is not a usable AE title here (1-16 letters, digits, _ . + -).", nameof(aeTitle));
        }

        AeTitle = aeTitle;
        StorageDirectory = Path.GetFullPath(storageDirectory);
    }

    /// <summary>The storage area's AE title: the called AE title of every association to it.</summary>
    public string AeTitle { get; }

    /// <summary>
    /// Absolute path of the storage area: index.dat plus the stored files. dcmqrscp deletes the files of
    /// the oldest study there when the study quota is exceeded, so it should hold copies only
    /// (<see cref="DcmqrscpStorageArea.Import"/> copies).
    /// </summary>
    public string StorageDirectory { get; }

    /// <summary>Peers dcmqrscp may connect to as C-MOVE destinations.</summary>
    public IReadOnlyList<LoopbackPeer> MoveDestinations { get; init; } = [];

    /// <summary>False serves the area read-only (C-STORE refused).</summary>
    public bool AllowStore { get; init; } = true;

    /// <summary>Study quota: beyond it dcmqrscp deletes the oldest study on store.</summary>
    public int MaxStudies { get; init; } = 1000;

    /// <summary>Per-study size quota in dcmqrscp's notation ("1024mb", "64kb").</summary>
    public string MaxBytesPerStudy { get; init; } = "1024mb";

    public int MaxPduSize { get; init; } = 16384;

    public int MaxAssociations { get; init; } = 16;

    /// <summary>The file's text.</summary>
    public string Render()
    {
        if (StorageDirectory.Any(char.IsWhiteSpace) || StorageDirectory.Contains('"', StringComparison.Ordinal))
        {
            // The format quotes with " ' ( ): a path containing them or spaces is not worth the risk in tests.
            throw new InvalidOperationException($"dcmqrscp storage path '{StorageDirectory}' contains spaces or quotes.");
        }

        var text = new StringBuilder();
        text.AppendLine("# Written by NodeAgent.Testing.Peers.DcmqrscpConfiguration.");
        text.AppendLine("# The port given on dcmqrscp's command line (DcmtkListener always gives one) overrides NetworkTCPPort.");
        text.AppendLine("NetworkTCPPort  = 11112");
        text.AppendLine(CultureInfo.InvariantCulture, $"MaxPDUSize      = {MaxPduSize}");
        text.AppendLine(CultureInfo.InvariantCulture, $"MaxAssociations = {MaxAssociations}");
        text.AppendLine();
        text.AppendLine("HostTable BEGIN");
        for (var i = 0; i < MoveDestinations.Count; i++)
        {
            var peer = MoveDestinations[i];
            if (!AeTitlePattern().IsMatch(peer.AeTitle))
            {
                throw new InvalidOperationException($"C-MOVE destination AE title '{peer.AeTitle}' is not usable here.");
            }

            // DCMTK 3.6.7 accepts an IP address here (older docs say host names only); 127.0.0.1
            // avoids any doubt about what "localhost" resolves to.
            text.AppendLine(CultureInfo.InvariantCulture, $"peer{i + 1} = ({peer.AeTitle}, {LoopbackPeer.Host}, {peer.Port})");
        }

        text.AppendLine("HostTable END");
        text.AppendLine();
        text.AppendLine("VendorTable BEGIN");
        text.AppendLine("VendorTable END");
        text.AppendLine();
        text.AppendLine("AETable BEGIN");
        text.AppendLine(CultureInfo.InvariantCulture, $"{AeTitle} {StorageDirectory} {(AllowStore ? "RW" : "R")} ({MaxStudies}, {MaxBytesPerStudy}) ANY");
        text.AppendLine("AETable END");
        return text.ToString();
    }

    /// <summary>Writes the file (and creates the storage area); returns its path.</summary>
    public string WriteTo(string path)
    {
        Directory.CreateDirectory(StorageDirectory);
        File.WriteAllText(path, Render());
        return path;
    }

    [GeneratedRegex("^[A-Za-z0-9_.+-]{1,16}$")]
    private static partial Regex AeTitlePattern();
}
