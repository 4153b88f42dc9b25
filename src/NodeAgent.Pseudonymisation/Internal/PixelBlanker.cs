using NodeAgent.Dicom;
using NodeAgent.Pseudonymisation.Profiles;

namespace NodeAgent.Pseudonymisation.Internal;

/// <summary>
/// Blanks rectangles (sets them to zero) in every frame and sample of native, uncompressed pixel data.
/// Returns null on success, or why the pixel data cannot be blanked.
/// </summary>
internal static class PixelBlanker
{
    public static string? Blank(DicomDataset dataset, IReadOnlyList<PixelRectangle> rectangles)
    {
        if (dataset[DicomTags.PixelData] is not DicomElement pixels)
        {
            return dataset.Contains(DicomTags.PixelData)
                ? "compressed (encapsulated) pixel data cannot be blanked; decompress it first (for example dcmdjpeg)"
                : "the image has no Pixel Data to blank";
        }

        var rows = dataset.GetValue<int>(DicomTags.Rows) ?? 0;
        var columns = dataset.GetValue<int>(DicomTags.Columns) ?? 0;
        var bitsAllocated = dataset.GetValue<int>(DicomTags.BitsAllocated) ?? 0;
        var samples = dataset.GetValue<int>(DicomTags.SamplesPerPixel) ?? 1;
        var planar = dataset.GetValue<int>(DicomTags.PlanarConfiguration) ?? 0;
        var frames = int.TryParse(dataset.GetString(DicomTags.NumberOfFrames)?.Trim(), out var n) && n > 0 ? n : 1;
        if (rows <= 0 || columns <= 0 || samples is < 1 or > 4 || bitsAllocated is not (8 or 16 or 32))
        {
            return $"pixel data of {rows}x{columns}, {samples} samples, {bitsAllocated} bits allocated cannot be blanked";
        }

        var bytesPerSample = bitsAllocated / 8;
        var frameLength = (long)rows * columns * samples * bytesPerSample;
        if (pixels.Length < frameLength * frames || frameLength * frames > Array.MaxLength)
        {
            return "the pixel data is shorter than its attributes say, or too large to blank in memory";
        }

        var data = pixels.GetBytes().ToArray();
        for (var frame = 0; frame < frames; frame++)
        {
            var frameStart = frame * frameLength;
            foreach (var rectangle in rectangles)
            {
                var x0 = Math.Min(rectangle.X, columns);
                var y0 = Math.Min(rectangle.Y, rows);
                var x1 = (int)Math.Min((long)rectangle.X + rectangle.Width, columns);
                var y1 = (int)Math.Min((long)rectangle.Y + rectangle.Height, rows);
                for (var y = y0; y < y1; y++)
                {
                    if (planar == 1 && samples > 1)
                    {
                        for (var plane = 0; plane < samples; plane++)
                        {
                            var start = frameStart + ((((long)plane * rows * columns) + ((long)y * columns) + x0) * bytesPerSample);
                            data.AsSpan((int)start, (x1 - x0) * bytesPerSample).Clear();
                        }
                    }
                    else
                    {
                        var start = frameStart + ((((long)y * columns) + x0) * samples * bytesPerSample);
                        data.AsSpan((int)start, (x1 - x0) * samples * bytesPerSample).Clear();
                    }
                }
            }
        }

        dataset.AddOrUpdate(new DicomElement(DicomTags.PixelData, pixels.VR, data, pixels.IsBigEndian));
        return null;
    }
}
