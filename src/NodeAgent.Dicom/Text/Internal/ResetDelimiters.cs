using System.Buffers;

namespace NodeAgent.Dicom.Text.Internal;

/// <summary>
/// The characters before which the initial character sets must be active again (PS3.5 6.1.2.5.3):
/// CR, LF, TAB and FF for every text VR, '\' for multi-valued VRs, and '^' and '=' for PN.
/// A decoder resets its designations after them; an encoder switches back before them.
/// </summary>
internal sealed class ResetDelimiters
{
    public static readonly ResetDelimiters SingleValued = new(false, false, "\r\n\t\f");
    public static readonly ResetDelimiters MultiValued = new(true, false, "\r\n\t\f\\");
    public static readonly ResetDelimiters PersonName = new(true, true, "\r\n\t\f\\^=");

    private readonly bool _backslash;
    private readonly bool _personName;

    private ResetDelimiters(bool backslash, bool personName, ReadOnlySpan<char> delimiters)
    {
        _backslash = backslash;
        _personName = personName;

        // Where a run of single-byte G0 text ends: a delimiter, ESC, or a byte of the G1 area.
        var stops = new List<byte>(delimiters.Length + 129) { CodeElements.Esc };
        foreach (var c in delimiters)
        {
            stops.Add((byte)c);
        }

        for (var b = 0x80; b <= 0xFF; b++)
        {
            stops.Add((byte)b);
        }

        SingleByteRunStops = SearchValues.Create(stops.ToArray());
    }

    public SearchValues<byte> SingleByteRunStops { get; }

    public static ResetDelimiters For(DicomVR vr) =>
        vr == DicomVR.PN ? PersonName : vr.IsSingleValuedText() ? SingleValued : MultiValued;

    public bool IsDelimiter(int c) => c switch
    {
        '\r' or '\n' or '\t' or '\f' => true,
        '\\' => _backslash,
        '^' or '=' => _personName,
        _ => false,
    };
}
