using System.Buffers.Binary;
using System.IO.Compression;

namespace NodeAgent.Dicom.IO.Internal;

/// <summary>
/// Reads a Part 10 file (preamble, "DICM", file meta information, dataset) or a bare dataset,
/// working out the transfer syntax and inflating deflated datasets on the fly.
/// </summary>
internal static class Part10Reader
{
    private const int PreambleLength = 128;

    public static async ValueTask<DicomFile> ReadAsync(ByteSource source, DicomReadOptions options, DicomTransferSyntax? knownSyntax, bool async, CancellationToken ct)
    {
        var resources = new List<IDisposable>();
        var buffer = new ReadBuffer(source, options.BufferSize);
        var inflated = (ReadBuffer?)null;
        try
        {
            var meta = new DicomDataset(8);
            var parser = new DatasetParser(buffer, options, resources);
            var hasPreamble = false;
            if (knownSyntax is null)
            {
                hasPreamble = await SkipPreambleAsync(buffer, options, async, ct).ConfigureAwait(false);
                if (await MetaGroupEncodingAsync(buffer, async, ct).ConfigureAwait(false) is { } metaEncoding)
                {
                    await parser.ParseMetaAsync(meta, metaEncoding, async, ct).ConfigureAwait(false);
                }
            }

            var declared = knownSyntax ?? DeclaredSyntax(meta);
            var syntax = declared;
            var dataset = new DicomDataset();
            if (syntax?.IsDeflated == true)
            {
                inflated = Inflate(buffer, options);
                var inflatedParser = new DatasetParser(inflated, options, resources);
                await inflatedParser.ParseDatasetAsync(dataset, WireEncoding.ExplicitLittle, async, ct).ConfigureAwait(false);
            }
            else
            {
                var encoding = await DetectEncodingAsync(buffer, syntax, hasPreamble || meta.Count > 0, async, ct).ConfigureAwait(false);
                syntax ??= encoding.ExplicitVR
                    ? (encoding.BigEndian ? DicomTransferSyntax.ExplicitVRBigEndian : DicomTransferSyntax.ExplicitVRLittleEndian)
                    : DicomTransferSyntax.ImplicitVRLittleEndian;
                await parser.ParseDatasetAsync(dataset, encoding, async, ct).ConfigureAwait(false);
                dataset.IsPartial |= parser.TruncatedContainers;
            }

            if (source is FileByteSource { IsReferenced: false })
            {
                // Nothing refers back to the file: close it now rather than when the caller disposes.
                source.Dispose();
            }
            else
            {
                resources.Add(source);
            }

            return new DicomFile(meta, dataset, syntax!, resources);
        }
        catch (Exception ex) when (ex is InvalidDataException || IsZlibFailure(ex))
        {
            DisposeAll(resources, source);
            throw new DicomParseException(DicomParseError.InvalidDeflateStream, (inflated ?? buffer).Position, "the deflated dataset does not inflate.", innerException: ex);
        }
        catch
        {
            DisposeAll(resources, source);
            throw;
        }
        finally
        {
            inflated?.Source.Dispose();
            inflated?.Dispose();
            buffer.Dispose();
        }
    }

    // ZLibStream reports corrupt input as System.IO.Compression.ZLibException, an internal IOException.
    private static bool IsZlibFailure(Exception ex) => ex.GetType().FullName == "System.IO.Compression.ZLibException";

    private static void DisposeAll(List<IDisposable> resources, ByteSource source)
    {
        foreach (var r in resources)
        {
            r.Dispose();
        }

        source.Dispose();
    }

    private static async ValueTask<bool> SkipPreambleAsync(ReadBuffer buffer, DicomReadOptions options, bool async, CancellationToken ct)
    {
        if (await buffer.TryEnsureAsync(PreambleLength + 4, async, ct).ConfigureAwait(false)
            && buffer.Span.Slice(PreambleLength, 4).SequenceEqual("DICM"u8))
        {
            buffer.Advance(PreambleLength + 4);
            return true;
        }

        if (!options.AllowMissingPreamble)
        {
            throw new DicomParseException(DicomParseError.NotDicom, 0, "no DICOM preamble: bytes 128-131 are not \"DICM\".");
        }

        return false;
    }

    /// <summary>
    /// The encoding of a file meta group starting here, or null when there is none. PS3.10 requires
    /// explicit VR little endian; some writers used implicit VR, which pydicom and DCMTK accept too.
    /// </summary>
    private static async ValueTask<WireEncoding?> MetaGroupEncodingAsync(ReadBuffer buffer, bool async, CancellationToken ct)
    {
        if (!await buffer.TryEnsureAsync(8, async, ct).ConfigureAwait(false) || BinaryPrimitives.ReadUInt16LittleEndian(buffer.Span) != 0x0002)
        {
            return null;
        }

        var span = buffer.Span;
        return span[4] is >= (byte)'A' and <= (byte)'Z' && span[5] is >= (byte)'A' and <= (byte)'Z'
            ? WireEncoding.ExplicitLittle
            : WireEncoding.ImplicitLittle;
    }

    private static DicomTransferSyntax? DeclaredSyntax(DicomDataset meta)
    {
        var uid = meta.GetString(DicomTags.TransferSyntaxUID);
        return string.IsNullOrWhiteSpace(uid) ? null : DicomTransferSyntax.FromUid(uid);
    }

    /// <summary>
    /// The encoding of the dataset: the declared one, unless the first element clearly says
    /// otherwise (files that declare explicit VR but are implicit exist, as pydicom also notes);
    /// for bare datasets, guessed from the first element.
    /// </summary>
    private static async ValueTask<WireEncoding> DetectEncodingAsync(ReadBuffer buffer, DicomTransferSyntax? declared, bool isPart10, bool async, CancellationToken ct)
    {
        if (!await buffer.TryEnsureAsync(8, async, ct).ConfigureAwait(false))
        {
            if (declared is null && !isPart10)
            {
                throw new DicomParseException(DicomParseError.NotDicom, buffer.Position, "the input is too short to be DICOM.");
            }

            return declared is null ? WireEncoding.ExplicitLittle : WireEncoding.Of(declared);
        }

        var span = buffer.Span;
        var looksExplicit = span[4] is >= (byte)'A' and <= (byte)'Z' && span[5] is >= (byte)'A' and <= (byte)'Z'
            && ((DicomVR)((span[4] << 8) | span[5])).IsKnown();
        if (declared is not null)
        {
            var encoding = WireEncoding.Of(declared);
            if (encoding.ExplicitVR && !looksExplicit)
            {
                return encoding with { ExplicitVR = false };
            }

            if (!encoding.ExplicitVR && looksExplicit)
            {
                var implicitLength = BinaryPrimitives.ReadUInt32LittleEndian(span[4..]);
                if (buffer.Remaining is { } remaining && implicitLength != 0xFFFFFFFF && implicitLength > remaining)
                {
                    return WireEncoding.ExplicitLittle;
                }
            }

            return encoding;
        }

        var littleGroup = BinaryPrimitives.ReadUInt16LittleEndian(span);
        var bigGroup = BinaryPrimitives.ReadUInt16BigEndian(span);
        var bigEndian = looksExplicit && bigGroup < littleGroup;
        var group = bigEndian ? bigGroup : littleGroup;
        // A stored dataset starts with a low group (0008 usually); zeros, text or command sets do not.
        if (!isPart10 && group is 0 or > 0x0010)
        {
            throw new DicomParseException(DicomParseError.NotDicom, buffer.Position, "no preamble, no file meta information, and the first bytes are not a data element of groups 0001-0010.");
        }

        return new WireEncoding(looksExplicit, bigEndian);
    }

    /// <summary>
    /// Deflated datasets: everything after the file meta group is one raw deflate stream (RFC 1951).
    /// Some writers wrapped it in zlib (RFC 1950) by mistake; a valid zlib header is recognised, as
    /// DCMTK can. Offsets in errors are then offsets in the inflated dataset, which is capped at
    /// <see cref="DicomReadOptions.MaxInflatedLength"/> against deflate bombs.
    /// </summary>
    private static ReadBuffer Inflate(ReadBuffer buffer, DicomReadOptions options)
    {
        var start = buffer.Position;
        var buffered = buffer.TakeBuffered();
        var compressed = new PrefixedSourceStream(buffered, buffer.Source, start + buffered.Length);
        Stream inflater = IsZlibHeader(buffered.Span)
            ? new ZLibStream(compressed, CompressionMode.Decompress, leaveOpen: false)
            : new DeflateStream(compressed, CompressionMode.Decompress, leaveOpen: false);
        var capped = new LengthLimitedStream(inflater, options.MaxInflatedLength);
        return new ReadBuffer(new StreamByteSource(capped, 0, ownsStream: true), Math.Max(options.BufferSize, 64 * 1024));
    }

    /// <summary>A zlib header: deflate method, window up to 32 KB, and the check bits of RFC 1950 2.2.</summary>
    private static bool IsZlibHeader(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 2 && (bytes[0] & 0x0F) == 8 && (bytes[0] >> 4) <= 7 && ((bytes[0] << 8) | bytes[1]) % 31 == 0;
}
