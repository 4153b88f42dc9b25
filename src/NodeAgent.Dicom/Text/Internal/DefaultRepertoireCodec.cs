using System.Text;

namespace NodeAgent.Dicom.Text.Internal;

/// <summary>
/// The default character repertoire (ISO-IR 6), used without Specific Character Set, for unknown
/// terms and for the VRs that never use one (AE, CS, DA, UI...). Reading is lenient: bytes above 0x7F
/// are taken as ISO 8859-1, which loses nothing and matches pydicom. Writing is strict ASCII.
/// </summary>
internal sealed class DefaultRepertoireCodec : TextCodec
{
    public static readonly DefaultRepertoireCodec Instance = new();

    private DefaultRepertoireCodec()
    {
    }

    public override string Decode(ReadOnlySpan<byte> value, DicomVR vr) => Encoding.Latin1.GetString(value);

    public override bool TryEncode(string value, DicomVR vr, ref PooledBuilder<byte> output, out int failedIndex)
    {
        failedIndex = value.AsSpan().IndexOfAnyExceptInRange('\0', '\u007F');
        if (failedIndex >= 0)
        {
            return false;
        }

        output.Advance(Encoding.ASCII.GetBytes(value, output.GetSpan(value.Length)));
        return true;
    }
}
