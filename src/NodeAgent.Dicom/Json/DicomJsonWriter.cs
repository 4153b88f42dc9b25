using System.Text.Encodings.Web;
using System.Text.Json;
using NodeAgent.Dicom.Json.Internal;

namespace NodeAgent.Dicom.Json;

/// <summary>
/// Writes datasets in the DICOM JSON model (PS3.18 Annex F): keys are the 8-digit upper-case tag,
/// text decoded from the Specific Character Set, IS/DS and binary numbers as JSON numbers, PN as
/// component-group objects, bulk values base64 in InlineBinary (little endian), streamed in chunks.
/// </summary>
public static class DicomJsonWriter
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Non-ASCII text (names in Cyrillic, Kanji...) stays readable instead of \uXXXX escapes.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = false,
    };

    public static void Write(Utf8JsonWriter writer, DicomDataset dataset, DicomJsonOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(dataset);
        new DatasetJsonEncoder(writer, options ?? DicomJsonOptions.Default).WriteDataset(dataset);
    }

    /// <summary>Writes one dataset as a single line of JSON (no indentation), as JSON Lines needs.</summary>
    public static void Write(Stream stream, DicomDataset dataset, DicomJsonOptions? options = null)
    {
        using var writer = new Utf8JsonWriter(stream, WriterOptions);
        Write(writer, dataset, options);
        writer.Flush();
    }

    public static string Serialize(DicomDataset dataset, DicomJsonOptions? options = null)
    {
        using var stream = new MemoryStream();
        Write(stream, dataset, options);
        return System.Text.Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }
}
