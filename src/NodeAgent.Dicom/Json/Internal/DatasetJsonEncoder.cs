using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using NodeAgent.Dicom.Internal;
using NodeAgent.Dicom.Text;

namespace NodeAgent.Dicom.Json.Internal;

/// <summary>Encodes one dataset (recursively) onto a <see cref="Utf8JsonWriter"/>.</summary>
internal sealed class DatasetJsonEncoder(Utf8JsonWriter writer, DicomJsonOptions options)
{
    private const int Base64Chunk = 3 * 64 * 1024;

    public void WriteDataset(DicomDataset dataset)
    {
        writer.WriteStartObject();
        var characterSet = dataset.CharacterSet;
        Span<char> key = stackalloc char[8];
        foreach (var item in dataset)
        {
            if (item.Tag.IsGroupLength && !options.IncludeGroupLengths)
            {
                continue;
            }

            item.Tag.TryFormat(key, out _, "X", CultureInfo.InvariantCulture);
            writer.WritePropertyName(key);
            WriteItem(item, characterSet);
        }

        writer.WriteEndObject();
    }

    private void WriteItem(DicomItem item, DicomCharacterSet characterSet)
    {
        writer.WriteStartObject();
        switch (item)
        {
            case DicomSequence sequence:
                writer.WriteString("vr", "SQ");
                if (sequence.Count > 0)
                {
                    writer.WriteStartArray("Value");
                    foreach (var child in sequence.Items)
                    {
                        WriteDataset(child);
                    }

                    writer.WriteEndArray();
                }

                break;
            case DicomFragmentSequence fragments:
                writer.WriteString("vr", fragments.VR.Code());
                WriteBulk(item, () => WriteEncapsulated(fragments));
                break;
            case DicomElement element:
                WriteElement(element, characterSet);
                break;
        }

        writer.WriteEndObject();
    }

    private void WriteElement(DicomElement element, DicomCharacterSet characterSet)
    {
        var vr = element.VR.IsKnown() ? element.VR : DicomVR.UN;
        writer.WriteString("vr", vr.Code());
        if (element.IsEmpty)
        {
            return;
        }

        if (vr.IsBulk())
        {
            WriteBulk(element, () => WriteBinary(element, vr));
            return;
        }

        if (vr == DicomVR.AT)
        {
            writer.WriteStartArray("Value");
            foreach (var tag in element.GetTags())
            {
                writer.WriteStringValue(tag.ToString("X", CultureInfo.InvariantCulture));
            }

            writer.WriteEndArray();
            return;
        }

        if (vr.IsBinaryNumber())
        {
            WriteBinaryNumbers(element);
            return;
        }

        var values = element.GetStrings(characterSet);
        writer.WriteStartArray("Value");
        foreach (var value in values)
        {
            if (value.Length == 0)
            {
                // Empty values among several are null in the JSON model (PS3.18 F.2.5).
                writer.WriteNullValue();
            }
            else if (vr == DicomVR.PN)
            {
                WritePersonName(value);
            }
            else if (vr is DicomVR.IS or DicomVR.DS)
            {
                WriteDecimalString(value, vr);
            }
            else
            {
                writer.WriteStringValue(value);
            }
        }

        writer.WriteEndArray();
    }

    private void WritePersonName(string value)
    {
        writer.WriteStartObject();
        var groups = value.Split('=');
        string[] names = ["Alphabetic", "Ideographic", "Phonetic"];
        for (var i = 0; i < groups.Length && i < names.Length; i++)
        {
            if (groups[i].Length > 0)
            {
                writer.WriteString(names[i], groups[i]);
            }
        }

        writer.WriteEndObject();
    }

    private void WriteDecimalString(string value, DicomVR vr)
    {
        if (vr == DicomVR.IS && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            writer.WriteNumberValue(integer);
        }
        else if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            writer.WriteNumberValue(number);
        }
        else
        {
            // Not a number at all: keep the text rather than lose it.
            writer.WriteStringValue(value);
        }
    }

    private void WriteBinaryNumbers(DicomElement element)
    {
        writer.WriteStartArray("Value");
        switch (element.VR)
        {
            case DicomVR.FL or DicomVR.FD:
                foreach (var d in element.GetNumbers<double>())
                {
                    if (double.IsFinite(d))
                    {
                        writer.WriteNumberValue(element.VR == DicomVR.FL ? (double)(float)d : d);
                    }
                    else
                    {
                        writer.WriteStringValue(d.ToString(CultureInfo.InvariantCulture));
                    }
                }

                break;
            case DicomVR.UV:
                foreach (var u in element.GetNumbers<ulong>())
                {
                    writer.WriteNumberValue(u);
                }

                break;
            default:
                foreach (var l in element.GetNumbers<long>())
                {
                    writer.WriteNumberValue(l);
                }

                break;
        }

        writer.WriteEndArray();
    }

    private void WriteBulk(DicomItem item, Action writeInline)
    {
        var length = item switch
        {
            DicomElement e => e.Length,
            DicomFragmentSequence f => f.ItemStreamLength,
            _ => 0,
        };
        if (options.BulkDataUri is { } provider && length > options.BulkDataThreshold && provider(item) is { } uri)
        {
            writer.WriteString("BulkDataURI", uri);
            return;
        }

        writer.WritePropertyName("InlineBinary");
        writeInline();
    }

    private void WriteBinary(DicomElement element, DicomVR vr)
    {
        var swapUnit = element.IsBigEndian ? vr.ByteSwapUnit() : 1;
        if (element.ExternalBuffer is null && swapUnit == 1)
        {
            writer.WriteBase64StringValue(element.InlineMemory.Span);
            return;
        }

        using var stream = element.OpenRead();
        WriteBase64Stream(stream, element.Length, swapUnit);
    }

    /// <summary>Encapsulated pixel data as its item stream (items with headers, no sequence delimiter).</summary>
    private void WriteEncapsulated(DicomFragmentSequence fragments)
    {
        using var stream = new EncapsulatedItemStream(fragments);
        WriteBase64Stream(stream, stream.Length, 1);
    }

    private void WriteBase64Stream(Stream stream, long length, int swapUnit)
    {
        var chunk = ArrayPool<byte>.Shared.Rent(Base64Chunk);
        try
        {
            var filled = 0;
            long done = 0;
            while (true)
            {
                var read = stream.Read(chunk, filled, Base64Chunk - filled);
                filled += read;
                var final = read == 0 || done + filled >= length;
                if (filled == Base64Chunk || final)
                {
                    if (swapUnit > 1)
                    {
                        ByteSwapper.Swap(chunk.AsSpan(0, filled), swapUnit);
                    }

                    writer.WriteBase64StringSegment(chunk.AsSpan(0, filled), final);
                    if (writer.BytesPending > 1 << 20)
                    {
                        // Hand big values to the stream as they are encoded, instead of holding all of them.
                        writer.Flush();
                    }

                    done += filled;
                    filled = 0;
                    if (final)
                    {
                        return;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }
}
