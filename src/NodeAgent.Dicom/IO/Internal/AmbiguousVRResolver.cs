namespace NodeAgent.Dicom.IO.Internal;

/// <summary>
/// Chooses the VR of an implicit VR element whose dictionary entry allows several ("US or SS",
/// "OB or OW", "US or OW"), from the dataset it is in, as PS3.5 A.1 and the modules define it.
/// </summary>
internal static class AmbiguousVRResolver
{
    public static DicomVR Resolve(DicomTag tag, IReadOnlyList<DicomVR> candidates, DicomDataset? dataset)
    {
        if (candidates.Contains(DicomVR.SS) && candidates.Contains(DicomVR.US) && !candidates.Contains(DicomVR.OW))
        {
            // Pixel-value attributes are signed exactly when Pixel Representation is 1, looked up through parent items.
            for (var ds = dataset; ds is not null; ds = ds.Parent)
            {
                if (ds.TryGetElement(DicomTags.PixelRepresentation, out var pr) && pr.Length >= 2)
                {
                    return pr.GetNumbers<ushort>()[0] == 1 ? DicomVR.SS : DicomVR.US;
                }
            }

            return DicomVR.US;
        }

        if (tag == DicomTags.LUTData)
        {
            // LUT Data is US when the LUT Descriptor says 1 value, OW otherwise (PS3.3 C.11.1.1).
            var descriptor = dataset?.GetElement(DicomTags.LUTDescriptor);
            return descriptor is { Length: >= 2 } && descriptor.GetNumbers<ushort>()[0] == 1 ? DicomVR.US : DicomVR.OW;
        }

        // Implicit VR little endian encodes OB-or-OW data (pixel, overlay, waveform) as OW (PS3.5 A.1 c).
        return candidates.Contains(DicomVR.OW) ? DicomVR.OW : candidates[0];
    }
}
