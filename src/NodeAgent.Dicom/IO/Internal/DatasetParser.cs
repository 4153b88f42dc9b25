using System.Buffers.Binary;
using System.Text;
using NodeAgent.Dicom.Dictionary;

namespace NodeAgent.Dicom.IO.Internal;

/// <summary>
/// Parses data elements from a <see cref="ReadBuffer"/> into datasets: defined and undefined
/// lengths at any depth, sequences, encapsulated fragments, UN with undefined length (read as an
/// implicit VR sequence, PS3.5 6.2.2), private sequences in implicit VR, odd lengths and unknown VRs.
/// Every length is checked against what the input and the enclosing item can hold before anything
/// is allocated, and element counts and in-memory bytes are capped, so hostile input costs little.
/// </summary>
internal sealed class DatasetParser(ReadBuffer buffer, DicomReadOptions options, List<IDisposable> resources)
{
    private const uint UndefinedLength = 0xFFFFFFFF;
    private const int StreamedChunk = 1 << 20;
    private readonly ValueArena _arena = new();
    private int _elements;
    private long _inMemoryBytes;

    private enum Scope
    {
        TopLevel,
        Meta,
        Item,
    }

    /// <summary>Reads the file meta information group (explicit VR little endian, or implicit for the writers that get it wrong).</summary>
    public ValueTask ParseMetaAsync(DicomDataset target, WireEncoding encoding, bool async, CancellationToken cancellationToken) =>
        ParseItemsAsync(target, null, new ItemContext(null) { Encoding = encoding }, -1, 0, Scope.Meta, async, cancellationToken);

    /// <summary>Reads a dataset to the end of the input (or until the stop predicate says so).</summary>
    public ValueTask ParseDatasetAsync(DicomDataset target, WireEncoding encoding, bool async, CancellationToken cancellationToken) =>
        ParseItemsAsync(target, null, new ItemContext(null) { Encoding = encoding }, -1, 0, Scope.TopLevel, async, cancellationToken);

    private async ValueTask ParseItemsAsync(
        DicomDataset? target, DicomDataset? parent, ItemContext context, long end, int depth, Scope scope, bool async, CancellationToken ct)
    {
        if (depth > options.MaxDepth)
        {
            throw new DicomParseException(DicomParseError.NestingTooDeep, buffer.Position, $"sequences are nested more than {options.MaxDepth} levels deep.");
        }

        if (target is not null)
        {
            target.Parent = parent;
        }

        try
        {
            await ParseElementsAsync(target, context, end, depth, scope, async, ct).ConfigureAwait(false);
        }
        finally
        {
            // Out-of-order input was appended as read; it is sorted once here, not element by element.
            target?.CompleteParse();
        }
    }

    private async ValueTask ParseElementsAsync(DicomDataset? target, ItemContext context, long end, int depth, Scope scope, bool async, CancellationToken ct)
    {
        var first = true;
        while (true)
        {
            var offset = buffer.Position;
            if (end >= 0 && offset >= end)
            {
                if (offset > end)
                {
                    throw new DicomParseException(DicomParseError.LengthOutOfRange, offset, "an element runs past the end of its item.");
                }

                return;
            }

            if (!await buffer.TryEnsureAsync(8, async, ct).ConfigureAwait(false))
            {
                // At the top level, fewer than 8 bytes cannot be an element: trailing padding some
                // writers leave, ignored as pydicom and dcmtk do. Inside an item it is truncation.
                if (end < 0 && scope == Scope.TopLevel)
                {
                    buffer.Advance(buffer.Available);
                    return;
                }

                if (scope == Scope.Meta)
                {
                    // The meta group ended; what follows (perhaps a short deflate stream) is the dataset's.
                    return;
                }

                if (AcceptTruncatedContainer(end))
                {
                    return;
                }

                throw new DicomParseException(DicomParseError.Truncated, offset, scope == Scope.Item ? "the input ends inside a sequence item." : "the input ends inside an element header.");
            }

            var tag = ReadTag(buffer.Span, context.Encoding.BigEndian);
            if (scope == Scope.Meta && tag.Group != 0x0002)
            {
                return;
            }

            if (tag.Group == 0xFFFE)
            {
                if (tag == DicomTag.ItemDelimitationItem && scope == Scope.Item && end < 0)
                {
                    buffer.Advance(8);
                    return;
                }

                throw new DicomParseException(DicomParseError.UnexpectedDelimiter, offset, "an item or delimitation tag where a data element was expected.", tag);
            }

            if (scope == Scope.TopLevel && !first && tag.Value == 0 && await IsZeroPaddingToEndAsync(async, ct).ConfigureAwait(false))
            {
                // Some writers pad files with zeros to a block size; zeros to the end are not an element.
                return;
            }

            if (scope == Scope.TopLevel && options.StopBefore?.Invoke(tag) == true)
            {
                if (target is not null)
                {
                    target.IsPartial = true;
                }

                return;
            }

            if (++_elements > options.MaxElements)
            {
                throw new DicomParseException(DicomParseError.TooLarge, offset, $"more than {options.MaxElements} elements and items.");
            }

            var header = await ReadHeaderAsync(tag, context, end, offset, async, ct).ConfigureAwait(false);
            var keep = target is not null && (scope != Scope.TopLevel || options.Keep is null || options.Keep(tag) || tag == DicomTags.SpecificCharacterSet);
            var item = await ReadValueAsync(header, context, keep ? target : null, end, depth, async, ct).ConfigureAwait(false);
            if (item is DicomElement element)
            {
                Remember(context, element);
            }

            if (item is not null && keep)
            {
                target!.AppendUnordered(item);
            }

            first = false;
        }
    }

    private async ValueTask<ElementHeader> ReadHeaderAsync(DicomTag tag, ItemContext context, long end, long offset, bool async, CancellationToken ct)
    {
        var encoding = context.Encoding;
        var span = buffer.Span;
        if (!encoding.ExplicitVR)
        {
            var implicitLength = ReadUInt32(span[4..], encoding.BigEndian);
            buffer.Advance(8);
            var (vr, fromDictionary) = ImplicitVR(tag, context);
            return new ElementHeader(tag, vr, implicitLength, offset, VRIsGuessed: !fromDictionary);
        }

        var first = span[4];
        var second = span[5];
        var code = (DicomVR)((first << 8) | second);
        if (code.IsKnown())
        {
            if (!code.HasLongExplicitLength())
            {
                var shortLength = ReadUInt16(span[6..], encoding.BigEndian);
                buffer.Advance(8);
                return new ElementHeader(tag, code, shortLength, offset, VRIsGuessed: false);
            }
        }
        else if (!IsUpperLetter(first) || !IsUpperLetter(second))
        {
            // Some writers switch to implicit VR inside an explicit VR dataset (pydicom accepts it too).
            // Accept the switch only when the implicit reading is plausible: a known tag whose length fits.
            var implicitLength = ReadUInt32(span[4..], encoding.BigEndian);
            if (!encoding.BigEndian && DicomDictionary.Find(tag) is not null && implicitLength != UndefinedLength && PlausibleImplicitLength(implicitLength, end))
            {
                context.Encoding = WireEncoding.ImplicitLittle;
                return await ReadHeaderAsync(tag, context, end, offset, async, ct).ConfigureAwait(false);
            }

            throw new DicomParseException(DicomParseError.InvalidVR, offset, $"the explicit VR bytes 0x{first:X2}{second:X2} are not a VR.", tag);
        }

        // Long form: 2 reserved bytes then a 32-bit length. A VR this reader does not know is read
        // as UN with the long form, as PS3.5 6.2 requires of VRs added to the standard later.
        if (!await buffer.TryEnsureAsync(12, async, ct).ConfigureAwait(false))
        {
            throw new DicomParseException(DicomParseError.Truncated, offset, "the input ends inside an element header.", tag);
        }

        var length = ReadUInt32(buffer.Span[8..], encoding.BigEndian);
        buffer.Advance(12);
        return new ElementHeader(tag, code.IsKnown() ? code : DicomVR.UN, length, offset, VRIsGuessed: false);
    }

    private async ValueTask<DicomItem?> ReadValueAsync(
        ElementHeader header, ItemContext context, DicomDataset? target, long containerEnd, int depth, bool async, CancellationToken ct)
    {
        var tag = header.Tag;
        var vr = header.VR;
        var encoding = context.Encoding;

        // A private creator is LO by definition (PS3.5 7.8.1), whatever VR the sender gave it.
        if (vr == DicomVR.UN && tag.IsPrivateCreator)
        {
            vr = DicomVR.LO;
        }

        // UN of a standard attribute: the dictionary knows its real VR (PS3.5 6.2.2 note; pydicom, dcmtk do the same).
        // With an undefined length it can only be a sequence, whatever the dictionary says.
        if (vr == DicomVR.UN && !header.VRIsGuessed && !tag.IsPrivate && header.Length != UndefinedLength
            && DicomDictionary.Find(tag) is { ValueRepresentation: not DicomVR.None and not DicomVR.UN } entry)
        {
            vr = entry.IsAmbiguous ? AmbiguousVRResolver.Resolve(tag, entry.ValueRepresentations, context) : entry.ValueRepresentation;
            if (vr == DicomVR.SQ)
            {
                // A sequence sent as UN keeps its items in implicit VR little endian (PS3.5 6.2.2).
                encoding = WireEncoding.ImplicitLittle;
            }
        }

        if (header.Length == UndefinedLength)
        {
            if (DicomReadOptions.IsPixelData(tag) || (vr is DicomVR.OB or DicomVR.OW && !header.VRIsGuessed))
            {
                // Encapsulated pixel data is OB whatever the header says (PS3.5 A.4).
                return await ReadFragmentsAsync(tag, encoding, target is not null, async, ct).ConfigureAwait(false);
            }

            if (vr == DicomVR.SQ || vr == DicomVR.UN || header.VRIsGuessed)
            {
                // UN (or an unknown VR) with undefined length is a sequence encoded in implicit VR little endian.
                var contentEncoding = vr == DicomVR.SQ ? encoding : WireEncoding.ImplicitLittle;
                return await ReadSequenceAsync(tag, -1, contentEncoding, target, context, depth, async, ct).ConfigureAwait(false);
            }

            throw new DicomParseException(DicomParseError.UndefinedLengthNotAllowed, header.Offset, $"VR {vr.Code()} cannot have an undefined length.", tag);
        }

        var length = (long)header.Length;
        if (vr == DicomVR.SQ && options.AllowTruncatedContainers && buffer.Remaining is { } left && length > left)
        {
            // Read the items that are there; the sequence ends where the input does.
            length = left;
            TruncatedContainers = true;
        }

        CheckLength(header, length, containerEnd);
        if (vr == DicomVR.SQ)
        {
            return await ReadSequenceAsync(tag, length, encoding, target, context, depth, async, ct).ConfigureAwait(false);
        }

        if (header.VRIsGuessed && length >= 8 && await LooksLikeSequenceAsync(length, async, ct).ConfigureAwait(false))
        {
            return await ReadSequenceAsync(tag, length, WireEncoding.ImplicitLittle, target, context, depth, async, ct).ConfigureAwait(false);
        }

        if (target is null && !MustRemember(tag, context))
        {
            await SkipAsync(length, header, async, ct).ConfigureAwait(false);
            return null;
        }

        return await ReadPrimitiveAsync(header with { VR = vr }, length, encoding.BigEndian, async, ct).ConfigureAwait(false);
    }

    private async ValueTask<DicomItem> ReadPrimitiveAsync(ElementHeader header, long length, bool bigEndian, bool async, CancellationToken ct)
    {
        var source = buffer.Source;
        if (length > options.LargeValueThreshold && source.CanReference)
        {
            var reference = source.Reference(buffer.Position, length);
            await SkipAsync(length, header, async, ct).ConfigureAwait(false);
            return new DicomElement(header.Tag, header.VR, reference, bigEndian);
        }

        // From a source that cannot be re-read, large values go to disk once the memory they would
        // take together passes the spool threshold.
        if (length > options.LargeValueThreshold && _inMemoryBytes + length > options.SpoolThreshold)
        {
            var spool = await SpoolAsync(length, header, async, ct).ConfigureAwait(false);
            return new DicomElement(header.Tag, header.VR, spool, bigEndian);
        }

        _inMemoryBytes += length;
        if (_inMemoryBytes > options.MaxInMemoryValueBytes)
        {
            throw new DicomParseException(DicomParseError.TooLarge, header.Offset, $"the values would take more than {options.MaxInMemoryValueBytes} bytes of memory.", header.Tag);
        }

        var bytes = await ReadBytesAsync(length, header, async, ct).ConfigureAwait(false);
        return new DicomElement(header.Tag, header.VR, bytes, bigEndian);
    }

    private async ValueTask<DicomSequence?> ReadSequenceAsync(
        DicomTag tag, long length, WireEncoding encoding, DicomDataset? parent, ItemContext parentContext, int depth, bool async, CancellationToken ct)
    {
        var sequence = parent is not null ? new DicomSequence(tag) : null;
        var end = length >= 0 ? buffer.Position + length : -1;
        while (true)
        {
            var offset = buffer.Position;
            if (end >= 0 && offset >= end)
            {
                if (offset > end)
                {
                    throw new DicomParseException(DicomParseError.LengthOutOfRange, offset, "an item runs past the end of its sequence.", tag);
                }

                return sequence;
            }

            if (!await buffer.TryEnsureAsync(8, async, ct).ConfigureAwait(false))
            {
                if (AcceptTruncatedContainer(end))
                {
                    return sequence;
                }

                throw new DicomParseException(DicomParseError.Truncated, offset, "the input ends inside a sequence.", tag);
            }

            var itemTag = ReadTag(buffer.Span, encoding.BigEndian);
            var itemLength = ReadUInt32(buffer.Span[4..], encoding.BigEndian);
            if (itemTag == DicomTag.SequenceDelimitationItem)
            {
                buffer.Advance(8);
                if (end < 0)
                {
                    return sequence;
                }

                // A delimiter inside a defined-length sequence is redundant; some writers add one.
                continue;
            }

            if (itemTag != DicomTag.Item)
            {
                throw new DicomParseException(DicomParseError.UnexpectedDelimiter, offset, $"expected an item in the sequence, found {itemTag}.", tag);
            }

            if (++_elements > options.MaxElements)
            {
                throw new DicomParseException(DicomParseError.TooLarge, offset, $"more than {options.MaxElements} elements and items.");
            }

            buffer.Advance(8);
            var item = sequence is not null ? new DicomDataset(0) : null;
            long itemEnd = -1;
            if (itemLength != UndefinedLength)
            {
                itemEnd = buffer.Position + itemLength;
                if (options.AllowTruncatedContainers && buffer.Source.Length is { } inputEnd && itemEnd > inputEnd && (end < 0 || inputEnd <= end))
                {
                    itemEnd = inputEnd;
                    TruncatedContainers = true;
                }

                if ((end >= 0 && itemEnd > end) || (buffer.Source.Length is { } total && itemEnd > total))
                {
                    throw new DicomParseException(DicomParseError.LengthOutOfRange, offset, $"an item of {itemLength} bytes runs past the end of its sequence or of the input.", tag);
                }
            }

            var context = new ItemContext(parentContext) { Encoding = encoding };
            await ParseItemsAsync(item, parent, context, itemEnd, depth + 1, Scope.Item, async, ct).ConfigureAwait(false);
            if (item is not null)
            {
                sequence!.Add(item);
            }
        }
    }

    private async ValueTask<DicomFragmentSequence?> ReadFragmentsAsync(DicomTag tag, WireEncoding encoding, bool keep, bool async, CancellationToken ct)
    {
        DicomFragment? offsetTable = null;
        var fragments = keep ? new List<DicomFragment>() : null;
        while (true)
        {
            var offset = buffer.Position;
            if (!await buffer.TryEnsureAsync(8, async, ct).ConfigureAwait(false))
            {
                throw new DicomParseException(DicomParseError.Truncated, offset, "the input ends inside encapsulated pixel data.", tag);
            }

            var itemTag = ReadTag(buffer.Span, encoding.BigEndian);
            var itemLength = ReadUInt32(buffer.Span[4..], encoding.BigEndian);
            buffer.Advance(8);
            if (itemTag == DicomTag.SequenceDelimitationItem)
            {
                break;
            }

            if (itemTag != DicomTag.Item || itemLength == UndefinedLength)
            {
                throw new DicomParseException(DicomParseError.UnexpectedDelimiter, offset, "encapsulated pixel data must be items of defined length.", itemTag);
            }

            if (++_elements > options.MaxElements)
            {
                throw new DicomParseException(DicomParseError.TooLarge, offset, $"more than {options.MaxElements} elements and items.");
            }

            var header = new ElementHeader(itemTag, DicomVR.OB, itemLength, offset, false);
            CheckLength(header, itemLength, -1);
            if (!keep)
            {
                await SkipAsync(itemLength, header, async, ct).ConfigureAwait(false);
                continue;
            }

            var element = (DicomElement)await ReadPrimitiveAsync(header, itemLength, false, async, ct).ConfigureAwait(false);
            var fragment = element.ExternalBuffer is { } external ? new DicomFragment(external) : new DicomFragment(element.InlineMemory);
            if (offsetTable is null)
            {
                offsetTable = fragment;
            }
            else
            {
                fragments!.Add(fragment);
            }
        }

        return keep ? new DicomFragmentSequence(tag, DicomVR.OB, offsetTable ?? new DicomFragment(ReadOnlyMemory<byte>.Empty), fragments!) : null;
    }

    /// <summary>
    /// Elements whose values the parser needs even when the caller does not keep them: private
    /// creators (only implicit VR needs them, to find private VRs) and what decides ambiguous VRs.
    /// </summary>
    private static bool MustRemember(DicomTag tag, ItemContext context) =>
        (tag.IsPrivateCreator && !context.Encoding.ExplicitVR) || tag == DicomTags.PixelRepresentation || tag == DicomTags.LUTDescriptor;

    private static void Remember(ItemContext context, DicomElement element)
    {
        var tag = element.Tag;
        if (tag.IsPrivateCreator && !context.Encoding.ExplicitVR)
        {
            context.AddCreator(tag, Encoding.Latin1.GetString(DicomElement.TrimTrailingPadding(element.InlineMemory.Span)).Trim());
        }
        else if (tag == DicomTags.PixelRepresentation && element.Length >= 2)
        {
            context.PixelRepresentation = element.GetNumbers<ushort>()[0];
        }
        else if (tag == DicomTags.LUTDescriptor && element.Length >= 2)
        {
            context.LutDescriptorFirst = element.VR == DicomVR.SS ? (ushort)element.GetNumbers<short>()[0] : element.GetNumbers<ushort>()[0];
        }
    }

    /// <summary>
    /// With <see cref="DicomReadOptions.AllowTruncatedContainers"/>, input that ends exactly between
    /// elements inside a defined-length item or sequence ends them there, as DCMTK reads such files.
    /// </summary>
    private bool AcceptTruncatedContainer(long end) =>
        options.AllowTruncatedContainers && end >= 0 && buffer.Available == 0 && buffer.Remaining == 0 && (TruncatedContainers = true);

    /// <summary>Set when <see cref="AcceptTruncatedContainer"/> ended a container early.</summary>
    public bool TruncatedContainers { get; private set; }

    /// <summary>An implicit VR value of unknown type that starts with an item tag is a sequence (private SQs).</summary>
    private async ValueTask<bool> LooksLikeSequenceAsync(long length, bool async, CancellationToken ct)
    {
        if (!await buffer.TryEnsureAsync(8, async, ct).ConfigureAwait(false))
        {
            return false;
        }

        var span = buffer.Span;
        if (BinaryPrimitives.ReadUInt32LittleEndian(span) != 0xE000FFFE)
        {
            return false;
        }

        var itemLength = BinaryPrimitives.ReadUInt32LittleEndian(span[4..]);
        return itemLength == UndefinedLength || itemLength <= length - 8;
    }

    /// <summary>True when every byte from here to the end of the input is zero (consumed if so).</summary>
    private async ValueTask<bool> IsZeroPaddingToEndAsync(bool async, CancellationToken ct)
    {
        if (buffer.Remaining is not { } remaining || remaining > 1 << 20)
        {
            return false;
        }

        if (!await buffer.TryEnsureAsync((int)remaining, async, ct).ConfigureAwait(false) || buffer.Span.IndexOfAnyExcept((byte)0) >= 0)
        {
            return false;
        }

        buffer.Advance(buffer.Available);
        return true;
    }

    /// <summary>
    /// Whether a length read as implicit VR could be real: it must fit the input and the item; from a
    /// stream of unknown length, only a short value is believed.
    /// </summary>
    private bool PlausibleImplicitLength(long length, long containerEnd)
    {
        var valueEnd = buffer.Position + 8 + length;
        var fitsInput = buffer.Source.Length is { } total ? valueEnd <= total : length <= 4096;
        return fitsInput && (containerEnd < 0 || valueEnd <= containerEnd);
    }

    private void CheckLength(ElementHeader header, long length, long containerEnd)
    {
        var valueEnd = buffer.Position + length;
        if (buffer.Source.Length is { } total && valueEnd > total)
        {
            throw new DicomParseException(DicomParseError.LengthOutOfRange, header.Offset, $"a value of {length} bytes runs past the end of the input ({total - buffer.Position} bytes left).", header.Tag);
        }

        if (containerEnd >= 0 && valueEnd > containerEnd)
        {
            throw new DicomParseException(DicomParseError.LengthOutOfRange, header.Offset, $"a value of {length} bytes runs past the end of its item.", header.Tag);
        }
    }

    private async ValueTask SkipAsync(long length, ElementHeader header, bool async, CancellationToken ct)
    {
        try
        {
            await buffer.SkipAsync(length, async, ct).ConfigureAwait(false);
        }
        catch (EndOfStreamException ex)
        {
            throw new DicomParseException(DicomParseError.Truncated, header.Offset, $"the input ends inside a value of {length} bytes.", header.Tag, ex);
        }
    }

    private async ValueTask<ReadOnlyMemory<byte>> ReadBytesAsync(long length, ElementHeader header, bool async, CancellationToken ct)
    {
        try
        {
            if (length == 0)
            {
                return ReadOnlyMemory<byte>.Empty;
            }

            // From a source of unknown length, a declared length is a claim, not a fact: grow with
            // the bytes that actually arrive, so a lying header cannot make us allocate gigabytes.
            if (buffer.Source.Length is null && length > StreamedChunk)
            {
                using var collected = new MemoryStream();
                var chunk = new byte[StreamedChunk];
                for (var left = length; left > 0;)
                {
                    var n = (int)Math.Min(left, chunk.Length);
                    await buffer.ReadExactAsync(chunk.AsMemory(0, n), async, ct).ConfigureAwait(false);
                    collected.Write(chunk, 0, n);
                    left -= n;
                }

                return collected.ToArray();
            }

            var memory = _arena.Allocate((int)length);
            await buffer.ReadExactAsync(memory, async, ct).ConfigureAwait(false);
            return memory;
        }
        catch (EndOfStreamException ex)
        {
            throw new DicomParseException(DicomParseError.Truncated, header.Offset, $"the input ends inside a value of {length} bytes.", header.Tag, ex);
        }
    }

    private async ValueTask<DicomBuffer> SpoolAsync(long length, ElementHeader header, bool async, CancellationToken ct)
    {
        var spool = SpoolBuffer.Create(options.SpoolDirectory);
        resources.Add(spool);
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(StreamedChunk);
        try
        {
            for (var left = length; left > 0;)
            {
                var n = (int)Math.Min(left, StreamedChunk);
                await buffer.ReadExactAsync(chunk.AsMemory(0, n), async, ct).ConfigureAwait(false);
                if (async)
                {
                    await spool.AppendAsync(chunk.AsMemory(0, n), ct).ConfigureAwait(false);
                }
                else
                {
                    spool.Append(chunk.AsSpan(0, n));
                }

                left -= n;
            }

            return spool;
        }
        catch (EndOfStreamException ex)
        {
            throw new DicomParseException(DicomParseError.Truncated, header.Offset, $"the input ends inside a value of {length} bytes.", header.Tag, ex);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>The VR an implicit encoding implies; the flag says whether a dictionary knew it.</summary>
    private static (DicomVR VR, bool Known) ImplicitVR(DicomTag tag, ItemContext context)
    {
        if (tag.IsPrivate)
        {
            if (tag.IsPrivateCreator)
            {
                return (DicomVR.LO, true);
            }

            if (tag.IsGroupLength)
            {
                return (DicomVR.UL, true);
            }

            var creator = context.CreatorOf(tag);
            var privateEntry = creator is null ? null : DicomDictionary.FindPrivate(tag, creator);
            if (privateEntry is null || privateEntry.ValueRepresentation is DicomVR.None or DicomVR.UN)
            {
                return (DicomVR.UN, false);
            }

            return (privateEntry.IsAmbiguous ? AmbiguousVRResolver.Resolve(tag, privateEntry.ValueRepresentations, context) : privateEntry.ValueRepresentation, true);
        }

        var entry = DicomDictionary.Find(tag);
        if (entry is null || entry.ValueRepresentation == DicomVR.None)
        {
            return (DicomVR.UN, false);
        }

        return (entry.IsAmbiguous ? AmbiguousVRResolver.Resolve(tag, entry.ValueRepresentations, context) : entry.ValueRepresentation, true);
    }

    private static DicomTag ReadTag(ReadOnlySpan<byte> span, bool bigEndian) => bigEndian
        ? new DicomTag(BinaryPrimitives.ReadUInt16BigEndian(span), BinaryPrimitives.ReadUInt16BigEndian(span[2..]))
        : new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(span), BinaryPrimitives.ReadUInt16LittleEndian(span[2..]));

    private static uint ReadUInt32(ReadOnlySpan<byte> span, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(span) : BinaryPrimitives.ReadUInt32LittleEndian(span);

    private static ushort ReadUInt16(ReadOnlySpan<byte> span, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(span) : BinaryPrimitives.ReadUInt16LittleEndian(span);

    private static bool IsUpperLetter(byte b) => b is >= (byte)'A' and <= (byte)'Z';

    private readonly record struct ElementHeader(DicomTag Tag, DicomVR VR, uint Length, long Offset, bool VRIsGuessed);
}
