using NodeAgent.Dicom.Internal;

namespace NodeAgent.Dicom;

/// <summary>
/// Compares two datasets by content, independently of how they were encoded: values are compared
/// as little-endian bytes, text without its trailing padding, an odd-length binary value equal to
/// itself padded with one NUL, and group lengths (gggg,0000) by presence only, since they are an
/// artefact of the encoding. A private element read as UN equals the same bytes with a known VR:
/// implicit VR cannot carry the VR of private elements no dictionary knows. Likewise OB and OW of
/// an attribute the dictionary defines as "OB or OW" (Pixel Data read from implicit VR is OW, PS3.5
/// A.1) are equal when their little-endian bytes are. Differences name tag
/// paths, never values.
/// </summary>
public static class DicomDatasetDiff
{
    public static IReadOnlyList<string> Compare(DicomDataset expected, DicomDataset actual, int maxDifferences = 50)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        var differences = new List<string>();
        CompareDatasets("", expected, actual, differences, maxDifferences);
        return differences;
    }

    public static bool AreEqual(DicomDataset expected, DicomDataset actual) => Compare(expected, actual, 1).Count == 0;

    private static void CompareDatasets(string path, DicomDataset expected, DicomDataset actual, List<string> differences, int max)
    {
        var tags = expected.Select(i => i.Tag).Union(actual.Select(i => i.Tag)).Order();
        foreach (var tag in tags)
        {
            if (differences.Count >= max)
            {
                return;
            }

            var where = path.Length == 0 ? tag.ToString() : $"{path}.{tag}";
            var a = expected[tag];
            var b = actual[tag];
            if (a is null || b is null)
            {
                differences.Add($"{where}: {(a is null ? "added" : "missing")}");
                continue;
            }

            CompareItems(where, a, b, differences, max);
        }
    }

    private static void CompareItems(string where, DicomItem a, DicomItem b, List<string> differences, int max)
    {
        switch (a, b)
        {
            case (DicomSequence x, DicomSequence y):
                if (x.Count != y.Count)
                {
                    differences.Add($"{where}: {x.Count} items vs {y.Count}");
                    return;
                }

                for (var i = 0; i < x.Count; i++)
                {
                    CompareDatasets($"{where}[{i}]", x[i], y[i], differences, max);
                }

                return;
            case (DicomFragmentSequence x, DicomFragmentSequence y):
                if (!SameBytes(x.OffsetTable.GetBytes().Span, y.OffsetTable.GetBytes().Span, DicomVR.OB) || x.Fragments.Count != y.Fragments.Count
                    || x.Fragments.Zip(y.Fragments).Any(p => !SameBytes(p.First.GetBytes().Span, p.Second.GetBytes().Span, DicomVR.OB)))
                {
                    differences.Add($"{where}: encapsulated fragments differ");
                }

                return;
            case (DicomElement x, DicomElement y):
                var privateVRLost = x.Tag.IsPrivate && (x.VR == DicomVR.UN || y.VR == DicomVR.UN);
                if (x.VR != y.VR && !privateVRLost && !EitherOfAmbiguous(x.Tag, x.VR, y.VR))
                {
                    differences.Add($"{where}: VR {x.VR.Code()} vs {y.VR.Code()}");
                }
                else if (!x.Tag.IsGroupLength && !SameBytes(x.GetLittleEndianBytes().Span, y.GetLittleEndianBytes().Span, x.VR == DicomVR.UN ? y.VR : x.VR))
                {
                    differences.Add($"{where}: value differs ({x.Length} vs {y.Length} bytes)");
                }

                return;
            default:
                differences.Add($"{where}: {a.GetType().Name} vs {b.GetType().Name}");
                return;
        }
    }

    private static bool EitherOfAmbiguous(DicomTag tag, DicomVR a, DicomVR b) =>
        Dictionary.DicomDictionary.Find(tag) is { IsAmbiguous: true } entry
        && entry.ValueRepresentations.Contains(a) && entry.ValueRepresentations.Contains(b);

    private static bool SameBytes(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, DicomVR vr)
    {
        if (vr.IsString())
        {
            return DicomElement.TrimTrailingPadding(a).SequenceEqual(DicomElement.TrimTrailingPadding(b));
        }

        if (a.Length == b.Length)
        {
            return a.SequenceEqual(b);
        }

        // One side odd-length, the other padded to even with a NUL by a writer.
        var shorter = a.Length < b.Length ? a : b;
        var longer = a.Length < b.Length ? b : a;
        return longer.Length == shorter.Length + 1 && (shorter.Length & 1) == 1 && longer[^1] == 0 && longer[..^1].SequenceEqual(shorter);
    }
}
