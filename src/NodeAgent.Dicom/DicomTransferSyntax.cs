using System.Collections.Frozen;
using NodeAgent.Dicom.Dictionary;

namespace NodeAgent.Dicom;

/// <summary>
/// A transfer syntax and how it encodes a dataset: implicit or explicit VR, byte order, deflate, and
/// whether pixel data is encapsulated (fragments passed through untouched). Every transfer syntax of
/// the UID registry is known; an unknown UID is treated as explicit VR little endian, encapsulated,
/// which is what PS3.5 10 requires of all transfer syntaxes but the native ones.
/// </summary>
public sealed class DicomTransferSyntax : IEquatable<DicomTransferSyntax>
{
    // The native (uncompressed) encodings; every other transfer syntax encapsulates its pixel data.
    private static readonly FrozenSet<string> NotEncapsulated = new[]
    {
        DicomUids.ImplicitVRLittleEndian, DicomUids.ExplicitVRLittleEndian, DicomUids.ExplicitVRBigEndian,
        DicomUids.DeflatedExplicitVRLittleEndian, DicomUids.Papyrus3ImplicitVRLittleEndian,
        DicomUids.JPIPReferenced, DicomUids.JPIPReferencedDeflate, DicomUids.JPIPHTJ2KReferenced, DicomUids.JPIPHTJ2KReferencedDeflate,
        DicomUids.RFC2557MIMEEncapsulation, DicomUids.XMLEncoding,
        DicomUids.SMPTEST211020UncompressedProgressiveActiveVideo, DicomUids.SMPTEST211020UncompressedInterlacedActiveVideo,
        DicomUids.SMPTEST211030PCMDigitalAudio,
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> Deflated = new[]
    {
        DicomUids.DeflatedExplicitVRLittleEndian, DicomUids.JPIPReferencedDeflate, DicomUids.JPIPHTJ2KReferencedDeflate,
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly Lazy<FrozenDictionary<string, DicomTransferSyntax>> Known = new(() =>
        DicomUidRegistry.All.Where(u => u.Type == "Transfer Syntax")
            .ToFrozenDictionary(u => u.Uid, u => Create(u.Uid, u.Name, u.IsRetired, isKnown: true), StringComparer.Ordinal));

    private DicomTransferSyntax(string uid, string name, bool isExplicitVR, bool isBigEndian, bool isDeflated, bool isEncapsulated, bool isRetired, bool isKnown)
    {
        Uid = uid;
        Name = name;
        IsExplicitVR = isExplicitVR;
        IsBigEndian = isBigEndian;
        IsDeflated = isDeflated;
        IsEncapsulated = isEncapsulated;
        IsRetired = isRetired;
        IsKnown = isKnown;
    }

    public static DicomTransferSyntax ImplicitVRLittleEndian => FromUid(DicomUids.ImplicitVRLittleEndian);

    public static DicomTransferSyntax ExplicitVRLittleEndian => FromUid(DicomUids.ExplicitVRLittleEndian);

    public static DicomTransferSyntax ExplicitVRBigEndian => FromUid(DicomUids.ExplicitVRBigEndian);

    public static DicomTransferSyntax DeflatedExplicitVRLittleEndian => FromUid(DicomUids.DeflatedExplicitVRLittleEndian);

    public string Uid { get; }

    public string Name { get; }

    public bool IsExplicitVR { get; }

    public bool IsBigEndian { get; }

    /// <summary>The dataset (after the file meta group) is a raw deflate stream (RFC 1951).</summary>
    public bool IsDeflated { get; }

    /// <summary>Pixel data is encapsulated in fragments (compressed, or the encapsulated uncompressed syntax).</summary>
    public bool IsEncapsulated { get; }

    public bool IsRetired { get; }

    /// <summary>False for a UID that is not in the registry.</summary>
    public bool IsKnown { get; }

    /// <summary>Native encodings: pixel data is a plain value and the writer can convert between them.</summary>
    public bool IsUncompressed => !IsEncapsulated;

    /// <summary>The transfer syntax with this UID; trailing NUL or space padding is ignored.</summary>
    public static DicomTransferSyntax FromUid(string uid)
    {
        uid = uid.TrimEnd('\0', ' ');
        if (Known.Value.TryGetValue(uid, out var ts))
        {
            return ts;
        }

        return Create(uid, "Unknown transfer syntax", isRetired: false, isKnown: false);
    }

    public static IEnumerable<DicomTransferSyntax> All => Known.Value.Values;

    public bool Equals(DicomTransferSyntax? other) => other is not null && other.Uid == Uid;

    public override bool Equals(object? obj) => Equals(obj as DicomTransferSyntax);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Uid);

    public override string ToString() => $"{Name} ({Uid})";

    private static DicomTransferSyntax Create(string uid, string name, bool isRetired, bool isKnown)
    {
        var isImplicit = uid is DicomUids.ImplicitVRLittleEndian or DicomUids.Papyrus3ImplicitVRLittleEndian;
        var isBigEndian = uid == DicomUids.ExplicitVRBigEndian;
        return new DicomTransferSyntax(
            uid, name, !isImplicit, isBigEndian, Deflated.Contains(uid), !NotEncapsulated.Contains(uid), isRetired, isKnown);
    }
}
