using System.IO.Compression;
using NodeAgent.Dicom.Internal;
using NodeAgent.Dicom.IO.Internal;

namespace NodeAgent.Dicom.IO;

/// <summary>
/// Writes Part 10 files and bare datasets. Converts between the uncompressed transfer syntaxes
/// (implicit VR LE, explicit VR LE and BE, deflated); encapsulated pixel data is written only in
/// its own transfer syntax, since NodeAgent has no pixel codecs and never re-encodes images.
/// </summary>
public static class DicomWriter
{
    private static readonly byte[] MetaVersion = [0x00, 0x01];

    /// <summary>Writes a bare dataset (no preamble, no file meta), e.g. a DIMSE data set.</summary>
    public static void WriteDataset(Stream stream, DicomDataset dataset, DicomTransferSyntax transferSyntax, DicomWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(transferSyntax);
        options ??= DicomWriteOptions.Default;
        using var output = new WriteBuffer(stream, options.BufferSize);
        SyncCompletion.Wait(WriteBodyAsync(output, dataset, transferSyntax, options, async: false, CancellationToken.None));
    }

    /// <summary>Writes a bare dataset (no preamble, no file meta), e.g. a DIMSE data set.</summary>
    public static async Task WriteDatasetAsync(Stream stream, DicomDataset dataset, DicomTransferSyntax transferSyntax, DicomWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(transferSyntax);
        options ??= DicomWriteOptions.Default;
        using var output = new WriteBuffer(stream, options.BufferSize);
        await WriteBodyAsync(output, dataset, transferSyntax, options, async: true, cancellationToken).ConfigureAwait(false);
    }

    internal static async ValueTask WriteFileAsync(Stream stream, DicomFile file, DicomWriteOptions options, bool async, CancellationToken ct)
    {
        var target = options.TransferSyntax ?? file.TransferSyntax;
        CheckConvertible(file, target);
        using var output = new WriteBuffer(stream, options.BufferSize);
        await output.EnsureAsync(132, async, ct).ConfigureAwait(false);
        output.FreeSpan[..128].Clear();
        "DICM"u8.CopyTo(output.FreeSpan[128..]);
        output.Advance(132);

        var meta = BuildFileMetaInformation(file, target, options);
        await new DatasetWriter(output, WireEncoding.ExplicitLittle, options).WriteDatasetAsync(meta, async, ct).ConfigureAwait(false);
        await WriteBodyAsync(output, file.Dataset, target, options, async, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes a preamble and file meta group for a data set whose bytes follow as they are, already
    /// in <paramref name="transferSyntax"/> (a data set received over the network, say).
    /// </summary>
    public static void WriteFileHeader(Stream stream, string sopClassUid, string sopInstanceUid, DicomTransferSyntax transferSyntax, string? sourceAeTitle = null, DicomWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(transferSyntax);
        options ??= DicomWriteOptions.Default;
        var meta = new DicomDataset();
        meta.AddOrUpdate(new DicomElement(DicomTags.FileMetaInformationVersion, DicomVR.OB, MetaVersion));
        meta.AddOrUpdate(DicomTags.MediaStorageSOPClassUID, DicomVR.UI, sopClassUid);
        meta.AddOrUpdate(DicomTags.MediaStorageSOPInstanceUID, DicomVR.UI, sopInstanceUid);
        meta.AddOrUpdate(DicomTags.TransferSyntaxUID, DicomVR.UI, transferSyntax.Uid);
        meta.AddOrUpdate(DicomTags.ImplementationClassUID, DicomVR.UI, options.ImplementationClassUid);
        meta.AddOrUpdate(DicomTags.ImplementationVersionName, DicomVR.SH, options.ImplementationVersionName);
        if (!string.IsNullOrEmpty(sourceAeTitle))
        {
            meta.AddOrUpdate(DicomTags.SourceApplicationEntityTitle, DicomVR.AE, sourceAeTitle);
        }

        var length = EncodedLength.Dataset(meta, WireEncoding.ExplicitLittle, DicomWriteOptions.Default);
        meta.AddOrUpdate(DicomTags.FileMetaInformationGroupLength, DicomVR.UL, (uint)length);
        using var output = new WriteBuffer(stream, 4096);
        output.FreeSpan[..128].Clear();
        "DICM"u8.CopyTo(output.FreeSpan[128..]);
        output.Advance(132);
        SyncCompletion.Wait(new DatasetWriter(output, WireEncoding.ExplicitLittle, options).WriteDatasetAsync(meta, async: false, CancellationToken.None));
        SyncCompletion.Wait(output.FlushAsync(async: false, CancellationToken.None));
    }

    /// <summary>The file meta information written for <paramref name="file"/>: regenerated, with our implementation identity.</summary>
    public static DicomDataset BuildFileMetaInformation(DicomFile file, DicomTransferSyntax transferSyntax, DicomWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(transferSyntax);
        options ??= DicomWriteOptions.Default;
        var old = file.FileMetaInformation;
        var meta = new DicomDataset();
        meta.AddOrUpdate(new DicomElement(DicomTags.FileMetaInformationVersion, DicomVR.OB, MetaVersion));
        // The UIDs are copied as bytes: the meta group says what the dataset says, even if that is not a valid UID.
        CopyAs(meta, DicomTags.MediaStorageSOPClassUID, file.Dataset.GetElement(DicomTags.SOPClassUID) ?? old.GetElement(DicomTags.MediaStorageSOPClassUID));
        CopyAs(meta, DicomTags.MediaStorageSOPInstanceUID, file.Dataset.GetElement(DicomTags.SOPInstanceUID) ?? old.GetElement(DicomTags.MediaStorageSOPInstanceUID));
        meta.AddOrUpdate(DicomTags.TransferSyntaxUID, DicomVR.UI, transferSyntax.Uid);
        meta.AddOrUpdate(DicomTags.ImplementationClassUID, DicomVR.UI, options.ImplementationClassUid);
        meta.AddOrUpdate(DicomTags.ImplementationVersionName, DicomVR.SH, options.ImplementationVersionName);
        foreach (var kept in new[] { DicomTags.SourceApplicationEntityTitle, DicomTags.SendingApplicationEntityTitle, DicomTags.ReceivingApplicationEntityTitle, DicomTags.PrivateInformationCreatorUID, DicomTags.PrivateInformation })
        {
            if (old[kept] is { } item)
            {
                meta.AddOrUpdate(item);
            }
        }

        var length = EncodedLength.Dataset(meta, WireEncoding.ExplicitLittle, DicomWriteOptions.Default);
        meta.AddOrUpdate(DicomTags.FileMetaInformationGroupLength, DicomVR.UL, (uint)length);
        return meta;
    }

    private static void CopyAs(DicomDataset meta, DicomTag tag, DicomElement? source)
    {
        if (source is not null)
        {
            meta.AddOrUpdate(new DicomElement(tag, DicomVR.UI, source.GetBytes()));
        }
    }

    private static async ValueTask WriteBodyAsync(WriteBuffer output, DicomDataset dataset, DicomTransferSyntax target, DicomWriteOptions options, bool async, CancellationToken ct)
    {
        if (!target.IsDeflated)
        {
            await new DatasetWriter(output, WireEncoding.Of(target), options).WriteDatasetAsync(dataset, async, ct, isBody: true).ConfigureAwait(false);
            await output.FlushAsync(async, ct).ConfigureAwait(false);
            return;
        }

        await output.FlushAsync(async, ct).ConfigureAwait(false);
        var underlying = output.Stream;
        var counted = new CountingStream(underlying);
        var deflater = new DeflateStream(counted, options.DeflateLevel, leaveOpen: true);
        try
        {
            output.Redirect(deflater);
            await new DatasetWriter(output, WireEncoding.ExplicitLittle, options).WriteDatasetAsync(dataset, async, ct, isBody: true).ConfigureAwait(false);
            await output.FlushAsync(async, ct).ConfigureAwait(false);
        }
        finally
        {
            // Disposing writes the final deflate block; the synchronous path must stay synchronous.
            if (async)
            {
                await deflater.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                deflater.Dispose();
            }
        }

        output.Redirect(underlying);

        // PS3.5 A.5: a deflated stream of odd length gets one trailing NUL, so the data set stays even
        // (DCMTK refuses odd fragments over the network).
        if ((counted.Written & 1) == 1)
        {
            await output.WriteAsync(new byte[] { 0 }, async, ct).ConfigureAwait(false);
            await output.FlushAsync(async, ct).ConfigureAwait(false);
        }
    }

    private static void CheckConvertible(DicomFile file, DicomTransferSyntax target)
    {
        var source = file.TransferSyntax;
        if (source.Equals(target) || (!source.IsEncapsulated && !target.IsEncapsulated))
        {
            if (target.IsEncapsulated || !HasFragments(file.Dataset))
            {
                return;
            }
        }

        if (!file.Dataset.Contains(DicomTags.PixelData) && !file.Dataset.Contains(DicomTags.FloatPixelData) && !file.Dataset.Contains(DicomTags.DoubleFloatPixelData))
        {
            return;
        }

        throw new DicomException(
            $"Cannot write pixel data encoded as {source.Name} in {target.Name}: NodeAgent passes compressed pixel data through untouched and has no image codecs.");
    }

    private static bool HasFragments(DicomDataset dataset) => dataset.Any(i => i is DicomFragmentSequence);
}
