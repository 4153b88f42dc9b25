using NodeAgent.Dicom;

namespace NodeAgent.Pseudonymisation.Internal;

/// <summary>Decides whether an image may carry burned-in text, and says why without quoting any value that identifies.</summary>
internal static class BurnedInTextRisk
{
    // Secondary Capture Image Storage and its multi-frame variants (PS3.4 A.8): scanned documents,
    // screenshots and exported views, where text in the pixels is the rule rather than the exception.
    private const string SecondaryCapturePrefix = "1.2.840.10008.5.1.4.1.1.7";

    public static string? Assess(DicomDataset dataset)
    {
        if (!dataset.Contains(DicomTags.PixelData) && !dataset.Contains(DicomTags.FloatPixelData) && !dataset.Contains(DicomTags.DoubleFloatPixelData))
        {
            return null;
        }

        if (string.Equals(dataset.GetString(DicomTags.BurnedInAnnotation)?.Trim(), "YES", StringComparison.OrdinalIgnoreCase))
        {
            return "Burned In Annotation is YES";
        }

        var modality = dataset.GetString(DicomTags.Modality)?.Trim();
        if (string.Equals(modality, "US", StringComparison.OrdinalIgnoreCase))
        {
            return "ultrasound images usually carry burned-in text";
        }

        var sopClass = dataset.GetString(DicomTags.SOPClassUID)?.Trim();
        if (sopClass is not null && (sopClass == SecondaryCapturePrefix || sopClass.StartsWith(SecondaryCapturePrefix + ".", StringComparison.Ordinal)))
        {
            return "secondary captures usually carry burned-in text";
        }

        var conversion = dataset.GetString(DicomTags.ConversionType)?.Trim();
        if (conversion is "WSD" or "SD" or "SI")
        {
            return $"converted images ({conversion}) are screenshots or scans that usually carry text";
        }

        return dataset.GetStrings(DicomTags.ImageType).Any(t => t.Contains("SCREEN", StringComparison.OrdinalIgnoreCase))
            ? "screenshots carry burned-in text"
            : null;
    }
}
