using System.Text;

namespace NodeAgent.Dicom.Internal;

/// <summary>
/// Text of VRs outside the Specific Character Set (AE, AS, CS, DA, DS, DT, IS, TM, UI, UR). The
/// standard allows only the default repertoire there; bytes above 0x7F are decoded as Latin-1 so
/// that nothing a sender wrote is lost (as pydicom does), and encoding refuses non-ASCII.
/// </summary>
internal static class DefaultRepertoire
{
    public static string Decode(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    public static bool IsAscii(ReadOnlySpan<char> text) => Ascii.IsValid(text);
}
