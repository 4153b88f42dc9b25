using NodeAgent.Dicom;
using NodeAgent.Dicom.Text;

namespace NodeAgent.Pseudonymisation.Internal;

/// <summary>
/// Re-encodes every text value of an instance in UTF-8 (ISO_IR 192), for a replacement value its
/// own character set cannot hold. Done at most once per instance, and only then.
/// </summary>
internal static class CharacterSetUpgrade
{
    public static void ToUtf8(DicomDataset root)
    {
        var decoded = new List<(DicomDataset Dataset, DicomElement Element, string Text)>();
        Collect(root, decoded);
        root.AddOrUpdate(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 192");
        RemoveNested(root);
        foreach (var (dataset, element, text) in decoded)
        {
            dataset.AddOrUpdate(new DicomElement(element.Tag, element.VR, DicomCharacterSet.Utf8.Encode(text, element.VR)));
        }
    }

    /// <summary>True when a sequence item at any depth declares its own Specific Character Set.</summary>
    public static bool HasNestedCharacterSet(DicomDataset root) =>
        root.OfType<DicomSequence>().SelectMany(s => s.Items).Any(item => item.Contains(DicomTags.SpecificCharacterSet) || HasNestedCharacterSet(item));

    private static void Collect(DicomDataset dataset, List<(DicomDataset, DicomElement, string)> decoded)
    {
        foreach (var item in dataset)
        {
            if (item is DicomSequence sequence)
            {
                foreach (var child in sequence.Items)
                {
                    Collect(child, decoded);
                }
            }
            else if (item is DicomElement element && element.VR.UsesSpecificCharacterSet() && item.Tag != DicomTags.SpecificCharacterSet && !element.IsEmpty)
            {
                decoded.Add((dataset, element, element.GetText(dataset.CharacterSet)));
            }
        }
    }

    private static void RemoveNested(DicomDataset dataset)
    {
        foreach (var sequence in dataset.OfType<DicomSequence>())
        {
            foreach (var child in sequence.Items)
            {
                child.Remove(DicomTags.SpecificCharacterSet);
                RemoveNested(child);
            }
        }
    }
}
