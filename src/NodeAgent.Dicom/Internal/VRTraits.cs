namespace NodeAgent.Dicom.Internal;

internal enum VRKind : byte
{
    Unknown,
    Text,
    Number,
    Bulk,
    Sequence,
}

/// <summary>Per-VR encoding facts, looked up from a small table indexed by the two letters.</summary>
internal readonly record struct VRTraits(
    bool Known,
    string Code,
    VRKind Kind,
    bool LongLength,
    byte Padding,
    int SwapUnit,
    bool UsesCharacterSet,
    int MaxLength)
{
    private static readonly VRTraits UnknownTraits = new(false, "??", VRKind.Unknown, true, 0, 1, false, 0);

    // 26 x 26 slots for 'A'..'Z' x 'A'..'Z': the VR's two ASCII letters index it directly.
    private static readonly VRTraits[] Table = Build();

    public static ref readonly VRTraits Get(DicomVR vr)
    {
        var first = ((ushort)vr >> 8) - 'A';
        var second = ((ushort)vr & 0xFF) - 'A';
        if ((uint)first < 26 && (uint)second < 26)
        {
            return ref Table[(first * 26) + second];
        }

        return ref UnknownTraits;
    }

    private static VRTraits[] Build()
    {
        var table = new VRTraits[26 * 26];
        Array.Fill(table, UnknownTraits);

        void Add(DicomVR vr, VRKind kind, bool longLength, byte padding, int swap, bool charset, int max)
        {
            var code = new string([(char)((ushort)vr >> 8), (char)((ushort)vr & 0xFF)]);
            table[((((ushort)vr >> 8) - 'A') * 26) + (((ushort)vr & 0xFF) - 'A')] = new VRTraits(true, code, kind, longLength, padding, swap, charset, max);
        }

        const byte Space = 0x20;
        const byte Nul = 0x00;
        Add(DicomVR.AE, VRKind.Text, false, Space, 1, false, 16);
        Add(DicomVR.AS, VRKind.Text, false, Space, 1, false, 4);
        Add(DicomVR.AT, VRKind.Number, false, Nul, 2, false, 0);
        Add(DicomVR.CS, VRKind.Text, false, Space, 1, false, 16);
        Add(DicomVR.DA, VRKind.Text, false, Space, 1, false, 8);
        Add(DicomVR.DS, VRKind.Text, false, Space, 1, false, 16);
        Add(DicomVR.DT, VRKind.Text, false, Space, 1, false, 26);
        Add(DicomVR.FD, VRKind.Number, false, Nul, 8, false, 0);
        Add(DicomVR.FL, VRKind.Number, false, Nul, 4, false, 0);
        Add(DicomVR.IS, VRKind.Text, false, Space, 1, false, 12);
        Add(DicomVR.LO, VRKind.Text, false, Space, 1, true, 64);
        Add(DicomVR.LT, VRKind.Text, false, Space, 1, true, 10240);
        Add(DicomVR.OB, VRKind.Bulk, true, Nul, 1, false, 0);
        Add(DicomVR.OD, VRKind.Bulk, true, Nul, 8, false, 0);
        Add(DicomVR.OF, VRKind.Bulk, true, Nul, 4, false, 0);
        Add(DicomVR.OL, VRKind.Bulk, true, Nul, 4, false, 0);
        Add(DicomVR.OV, VRKind.Bulk, true, Nul, 8, false, 0);
        Add(DicomVR.OW, VRKind.Bulk, true, Nul, 2, false, 0);
        Add(DicomVR.PN, VRKind.Text, false, Space, 1, true, 64);
        Add(DicomVR.SH, VRKind.Text, false, Space, 1, true, 16);
        Add(DicomVR.SL, VRKind.Number, false, Nul, 4, false, 0);
        Add(DicomVR.SQ, VRKind.Sequence, true, Nul, 1, false, 0);
        Add(DicomVR.SS, VRKind.Number, false, Nul, 2, false, 0);
        Add(DicomVR.ST, VRKind.Text, false, Space, 1, true, 1024);
        Add(DicomVR.SV, VRKind.Number, true, Nul, 8, false, 0);
        Add(DicomVR.TM, VRKind.Text, false, Space, 1, false, 14);
        Add(DicomVR.UC, VRKind.Text, true, Space, 1, true, 0);
        Add(DicomVR.UI, VRKind.Text, false, Nul, 1, false, 64);
        Add(DicomVR.UL, VRKind.Number, false, Nul, 4, false, 0);
        Add(DicomVR.UN, VRKind.Bulk, true, Nul, 1, false, 0);
        Add(DicomVR.UR, VRKind.Text, true, Space, 1, false, 0);
        Add(DicomVR.US, VRKind.Number, false, Nul, 2, false, 0);
        Add(DicomVR.UT, VRKind.Text, true, Space, 1, true, 0);
        Add(DicomVR.UV, VRKind.Number, true, Nul, 8, false, 0);
        return table;
    }
}
