using System.Text;
using NodeAgent.Dicom;

namespace NodeAgent.Pseudonymisation.Internal;

/// <summary>The non-zero-length dummy value (action D) of each VR: valid for the VR and saying nothing.</summary>
internal static class DummyValues
{
    public static DicomElement For(DicomTag tag, DicomVR vr)
    {
        var text = vr switch
        {
            DicomVR.AE => "ANONYMOUS",
            DicomVR.AS => "000Y",
            DicomVR.CS => "ANONYMIZED",
            DicomVR.DA => "19000101",
            DicomVR.DT => "19000101000000",
            DicomVR.TM => "000000",
            DicomVR.DS or DicomVR.IS => "0",
            DicomVR.UI => "0",
            DicomVR.UR => "urn:removed",
            _ when vr.IsString() => "ANONYMIZED",
            _ => null,
        };
        if (text is not null)
        {
            return new DicomElement(tag, vr, Encoding.ASCII.GetBytes(text));
        }

        // Binary values: one zero of the VR's size (two bytes for OB, OW and UN, which must be even).
        var size = vr.IsBinaryNumber() ? Math.Max(vr.ValueSize(), 2) : 2;
        return new DicomElement(tag, vr, new byte[size]);
    }
}
