using System.Buffers.Binary;
using NodeAgent.Dicom.Internal;

namespace NodeAgent.Dicom.IO.Internal;

/// <summary>
/// Encodes a dataset in one wire encoding: element headers, even lengths with each VR's padding,
/// byte swapping between little and big endian, sequences, fragments, and recalculated group
/// lengths. Values kept in files are streamed through the output buffer, never loaded whole.
/// </summary>
internal sealed class DatasetWriter(WriteBuffer output, WireEncoding encoding, DicomWriteOptions options)
{
    private const uint Undefined = 0xFFFFFFFF;

    public async ValueTask WriteDatasetAsync(DicomDataset dataset, bool async, CancellationToken ct, bool isBody = false)
    {
        var count = dataset.Count;
        for (var i = 0; i < count; i++)
        {
            var item = dataset.ItemAt(i);
            if (isBody && item.Tag.Group == 0x0002)
            {
                // File meta elements belong in the meta group only (PS3.10 7.1), never in the dataset.
                continue;
            }

            if (item.Tag.IsGroupLength && item.Tag.Group != 0x0002 && item is DicomElement)
            {
                if (options.RemoveGroupLengths)
                {
                    continue;
                }

                await WriteGroupLengthAsync(dataset, i, async, ct).ConfigureAwait(false);
                continue;
            }

            await WriteItemAsync(item, async, ct).ConfigureAwait(false);
        }
    }

    public ValueTask WriteItemAsync(DicomItem item, bool async, CancellationToken ct) => item switch
    {
        DicomElement element => WriteElementAsync(element, async, ct),
        DicomSequence sequence => WriteSequenceAsync(sequence, async, ct),
        DicomFragmentSequence fragments => WriteFragmentsAsync(fragments, async, ct),
        _ => throw new DicomException($"{item.Tag}: cannot encode an item of type {item.GetType().Name}."),
    };

    private async ValueTask WriteGroupLengthAsync(DicomDataset dataset, int index, bool async, CancellationToken ct)
    {
        var group = dataset.ItemAt(index).Tag.Group;
        long length = 0;
        for (var j = index + 1; j < dataset.Count && dataset.ItemAt(j).Tag.Group == group; j++)
        {
            length += EncodedLength.Of(dataset.ItemAt(j), encoding, options);
        }

        var value = new byte[4];
        if (encoding.BigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(value, (uint)length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(value, (uint)length);
        }

        await WriteElementAsync(new DicomElement(new DicomTag(group, 0), DicomVR.UL, value, encoding.BigEndian), async, ct).ConfigureAwait(false);
    }

    private async ValueTask WriteElementAsync(DicomElement element, bool async, CancellationToken ct)
    {
        var vr = EncodedLength.WrittenVR(element, encoding);
        var length = element.Length;
        var padded = EncodedLength.Padded(length);
        if (padded > Undefined - 1)
        {
            throw new DicomException($"{element.Tag}: a value of {length} bytes does not fit a 32-bit DICOM length.");
        }

        await WriteHeaderAsync(element.Tag, vr, (uint)padded, async, ct).ConfigureAwait(false);
        var swapUnit = element.IsBigEndian != encoding.BigEndian ? vr.ByteSwapUnit() : 1;
        if (element.ExternalBuffer is { } external)
        {
            await CopyExternalAsync(external, swapUnit, async, ct).ConfigureAwait(false);
        }
        else
        {
            await CopyMemoryAsync(element.InlineMemory, swapUnit, async, ct).ConfigureAwait(false);
        }

        if (padded != length)
        {
            await output.EnsureAsync(1, async, ct).ConfigureAwait(false);
            output.FreeSpan[0] = element.VR.PaddingByte();
            output.Advance(1);
        }
    }

    private async ValueTask WriteSequenceAsync(DicomSequence sequence, bool async, CancellationToken ct)
    {
        var defined = options.SequenceLength == DicomSequenceLengthEncoding.Defined;
        var length = defined ? EncodedLength.SequenceContent(sequence, encoding, options) : Undefined;
        CheckFits(sequence.Tag, length);
        await WriteHeaderAsync(sequence.Tag, DicomVR.SQ, (uint)length, async, ct).ConfigureAwait(false);
        foreach (var item in sequence.Items)
        {
            var itemLength = defined ? EncodedLength.Dataset(item, encoding, options) : Undefined;
            CheckFits(sequence.Tag, itemLength);
            await WriteDelimiterAsync(DicomTag.Item, (uint)itemLength, async, ct).ConfigureAwait(false);
            await WriteDatasetAsync(item, async, ct).ConfigureAwait(false);
            if (!defined)
            {
                await WriteDelimiterAsync(DicomTag.ItemDelimitationItem, 0, async, ct).ConfigureAwait(false);
            }
        }

        if (!defined)
        {
            await WriteDelimiterAsync(DicomTag.SequenceDelimitationItem, 0, async, ct).ConfigureAwait(false);
        }
    }

    private async ValueTask WriteFragmentsAsync(DicomFragmentSequence fragments, bool async, CancellationToken ct)
    {
        await WriteHeaderAsync(fragments.Tag, fragments.VR == DicomVR.OW ? DicomVR.OW : DicomVR.OB, Undefined, async, ct).ConfigureAwait(false);
        await WriteFragmentAsync(fragments.Tag, fragments.OffsetTable, async, ct).ConfigureAwait(false);
        foreach (var fragment in fragments.Fragments)
        {
            await WriteFragmentAsync(fragments.Tag, fragment, async, ct).ConfigureAwait(false);
        }

        await WriteDelimiterAsync(DicomTag.SequenceDelimitationItem, 0, async, ct).ConfigureAwait(false);
    }

    private async ValueTask WriteFragmentAsync(DicomTag tag, DicomFragment fragment, bool async, CancellationToken ct)
    {
        var padded = EncodedLength.Padded(fragment.Length);
        CheckFits(tag, padded);
        await WriteDelimiterAsync(DicomTag.Item, (uint)padded, async, ct).ConfigureAwait(false);
        if (fragment.ExternalBuffer is { } external)
        {
            await CopyExternalAsync(external, 1, async, ct).ConfigureAwait(false);
        }
        else
        {
            await CopyMemoryAsync(fragment.InlineMemory, 1, async, ct).ConfigureAwait(false);
        }

        if (padded != fragment.Length)
        {
            await output.EnsureAsync(1, async, ct).ConfigureAwait(false);
            output.FreeSpan[0] = 0;
            output.Advance(1);
        }
    }

    private async ValueTask WriteHeaderAsync(DicomTag tag, DicomVR vr, uint length, bool async, CancellationToken ct)
    {
        await output.EnsureAsync(12, async, ct).ConfigureAwait(false);
        var span = output.FreeSpan;
        WriteTag(span, tag);
        if (!encoding.ExplicitVR)
        {
            WriteUInt32(span[4..], length);
            output.Advance(8);
            return;
        }

        span[4] = (byte)((ushort)vr >> 8);
        span[5] = (byte)vr;
        if (vr.HasLongExplicitLength())
        {
            span[6] = 0;
            span[7] = 0;
            WriteUInt32(span[8..], length);
            output.Advance(12);
        }
        else
        {
            if (encoding.BigEndian)
            {
                BinaryPrimitives.WriteUInt16BigEndian(span[6..], (ushort)length);
            }
            else
            {
                BinaryPrimitives.WriteUInt16LittleEndian(span[6..], (ushort)length);
            }

            output.Advance(8);
        }
    }

    private async ValueTask WriteDelimiterAsync(DicomTag tag, uint length, bool async, CancellationToken ct)
    {
        await output.EnsureAsync(8, async, ct).ConfigureAwait(false);
        var span = output.FreeSpan;
        WriteTag(span, tag);
        WriteUInt32(span[4..], length);
        output.Advance(8);
    }

    private async ValueTask CopyMemoryAsync(ReadOnlyMemory<byte> data, int swapUnit, bool async, CancellationToken ct)
    {
        if (swapUnit == 1)
        {
            await output.WriteAsync(data, async, ct).ConfigureAwait(false);
            return;
        }

        while (!data.IsEmpty)
        {
            await output.EnsureAsync(Math.Min(data.Length, output.Capacity), async, ct).ConfigureAwait(false);
            var n = Math.Min(data.Length, output.Free - (output.Free % swapUnit));
            if (n == 0)
            {
                n = Math.Min(data.Length, output.Free);
            }

            var target = output.FreeSpan[..n];
            data.Span[..n].CopyTo(target);
            ByteSwapper.Swap(target, swapUnit);
            output.Advance(n);
            data = data[n..];
        }
    }

    private async ValueTask CopyExternalAsync(DicomBuffer external, int swapUnit, bool async, CancellationToken ct)
    {
        long offset = 0;
        var length = external.Length;
        if (swapUnit == 1 && external is FileRangeBuffer range && output.Stream is FileStream { CanSeek: true } file)
        {
            await output.FlushAsync(async, ct).ConfigureAwait(false);
            range.File.EnsureUnchanged();
            offset = KernelCopy.TryCopy(range.File.Handle, range.FileOffset, file, length);
            output.Skip(offset);
        }

        while (offset < length)
        {
            if (output.Free < Math.Min(length - offset, 64 * 1024))
            {
                await output.FlushAsync(async, ct).ConfigureAwait(false);
            }

            var want = (int)Math.Min(length - offset, output.Free);
            if (swapUnit > 1 && want > swapUnit)
            {
                want -= want % swapUnit;
            }

            var read = async
                ? await external.ReadAsync(offset, output.FreeMemory[..want], ct).ConfigureAwait(false)
                : external.Read(offset, output.FreeSpan[..want]);
            if (read <= 0)
            {
                throw new DicomException($"A value kept in its source file ended after {offset} of {length} bytes: the file was truncated or changed while in use.");
            }

            if (swapUnit > 1)
            {
                ByteSwapper.Swap(output.FreeSpan[..read], swapUnit);
            }

            output.Advance(read);
            offset += read;
        }
    }

    private void WriteTag(Span<byte> span, DicomTag tag)
    {
        if (encoding.BigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(span, tag.Group);
            BinaryPrimitives.WriteUInt16BigEndian(span[2..], tag.Element);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span, tag.Group);
            BinaryPrimitives.WriteUInt16LittleEndian(span[2..], tag.Element);
        }
    }

    private void WriteUInt32(Span<byte> span, uint value)
    {
        if (encoding.BigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(span, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span, value);
        }
    }

    private static void CheckFits(DicomTag tag, long length)
    {
        if (length > Undefined)
        {
            throw new DicomException($"{tag}: {length} bytes do not fit a 32-bit DICOM length; write with undefined sequence lengths.");
        }
    }
}
