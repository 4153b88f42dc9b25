using NodeAgent.Dicom.Internal;

namespace NodeAgent.Dicom;

/// <summary>The encoding rules of each VR (PS3.5 6.2, 7.1.2).</summary>
public static class DicomVRExtensions
{
    /// <summary>True for the 33 VRs of PS3.5 Table 6.2-1.</summary>
    public static bool IsKnown(this DicomVR vr) => VRTraits.Get(vr).Known;

    /// <summary>Explicit VR encodings of this VR carry 2 reserved bytes and a 32-bit length (PS3.5 7.1.2).</summary>
    public static bool HasLongExplicitLength(this DicomVR vr) => VRTraits.Get(vr).LongLength;

    /// <summary>The byte that pads a value to even length: NUL for UI and binary VRs, space for text.</summary>
    public static byte PaddingByte(this DicomVR vr) => VRTraits.Get(vr).Padding;

    /// <summary>Size of the unit that is byte-swapped between little and big endian (1: none).</summary>
    public static int ByteSwapUnit(this DicomVR vr) => VRTraits.Get(vr).SwapUnit;

    /// <summary>Character string VRs (values are text, separated by backslash unless single-valued).</summary>
    public static bool IsString(this DicomVR vr) => VRTraits.Get(vr).Kind == VRKind.Text;

    /// <summary>Text VRs whose value may use the Specific Character Set; others use the default repertoire.</summary>
    public static bool UsesSpecificCharacterSet(this DicomVR vr) => VRTraits.Get(vr).UsesCharacterSet;

    /// <summary>Text VRs that hold a single value in which backslash is an ordinary character (LT, ST, UT, UR).</summary>
    public static bool IsSingleValuedText(this DicomVR vr) => vr is DicomVR.LT or DicomVR.ST or DicomVR.UT or DicomVR.UR;

    /// <summary>Binary numeric VRs of fixed size per value (AT, FL, FD, SL, SS, SV, UL, US, UV).</summary>
    public static bool IsBinaryNumber(this DicomVR vr) => VRTraits.Get(vr).Kind == VRKind.Number;

    /// <summary>Byte-stream VRs (OB, OD, OF, OL, OV, OW, UN): "bulk" values, base64 in DICOM JSON.</summary>
    public static bool IsBulk(this DicomVR vr) => VRTraits.Get(vr).Kind == VRKind.Bulk;

    /// <summary>Size of one value for binary numeric VRs, else 0.</summary>
    public static int ValueSize(this DicomVR vr) => VRTraits.Get(vr).Kind == VRKind.Number ? (vr == DicomVR.AT ? 4 : VRTraits.Get(vr).SwapUnit) : 0;

    /// <summary>The maximum length in bytes of one value for text VRs (0: no limit but the 32-bit length).</summary>
    public static int MaxValueLength(this DicomVR vr) => VRTraits.Get(vr).MaxLength;

    /// <summary>The two-letter code, or "??" when the VR is not known.</summary>
    public static string Code(this DicomVR vr) => VRTraits.Get(vr).Known ? VRTraits.Get(vr).Code : vr == DicomVR.None ? "" : "??";

    /// <summary>Parses a two-letter VR code such as "PN".</summary>
    public static bool TryParse(ReadOnlySpan<char> code, out DicomVR vr)
    {
        vr = DicomVR.None;
        if (code.Length != 2 || code[0] > 0x7F || code[1] > 0x7F)
        {
            return false;
        }

        var candidate = (DicomVR)((code[0] << 8) | code[1]);
        if (!candidate.IsKnown())
        {
            return false;
        }

        vr = candidate;
        return true;
    }
}
