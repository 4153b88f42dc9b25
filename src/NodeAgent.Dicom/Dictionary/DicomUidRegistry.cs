using System.Collections.Frozen;
using NodeAgent.Dicom.Dictionary.Internal;

namespace NodeAgent.Dicom.Dictionary;

/// <summary>The UID registry of PS3.6 Table A-1, generated at build time. Constants are on <see cref="DicomUids"/>.</summary>
public static class DicomUidRegistry
{
    private static readonly Lazy<FrozenDictionary<string, DicomUidInfo>> ByUid = new(Build);

    /// <summary>The registered UID, or null for private and instance UIDs.</summary>
    public static DicomUidInfo? Find(string uid) => ByUid.Value.GetValueOrDefault(uid);

    public static IEnumerable<DicomUidInfo> All => ByUid.Value.Values;

    private static FrozenDictionary<string, DicomUidInfo> Build()
    {
        var map = new Dictionary<string, DicomUidInfo>(StringComparer.Ordinal);
        foreach (var line in GeneratedUidData.Registry.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split('|');
            map[f[0]] = new DicomUidInfo(f[0], f[1], f[2], f[3] == "Y", f[4]);
        }

        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
