namespace NodeAgent.Dicom.IO.Internal;

/// <summary>
/// Chooses the VR of an implicit VR element whose dictionary entry allows several ("US or SS",
/// "OB or OW", "US or OW"), from what the parser has seen of the dataset (PS3.5 A.1, PS3.3 C.7.6.3, C.11.1).
/// </summary>
internal static class AmbiguousVRResolver
{
    public static DicomVR Resolve(DicomTag tag, IReadOnlyList<DicomVR> candidates, ItemContext? context)
    {
        if (candidates.Contains(DicomVR.SS) && candidates.Contains(DicomVR.US) && !candidates.Contains(DicomVR.OW))
        {
            // Pixel-value attributes are signed exactly when Pixel Representation is 1, looked up through parent items.
            return context?.EffectivePixelRepresentation == 1 ? DicomVR.SS : DicomVR.US;
        }

        if (tag == DicomTags.LUTData)
        {
            // LUT Data is US when the LUT Descriptor says 1 value, OW otherwise.
            return context?.LutDescriptorFirst == 1 ? DicomVR.US : DicomVR.OW;
        }

        // Implicit VR little endian encodes OB-or-OW data (pixel, overlay, waveform) as OW (PS3.5 A.1 c).
        return candidates.Contains(DicomVR.OW) ? DicomVR.OW : candidates[0];
    }
}
