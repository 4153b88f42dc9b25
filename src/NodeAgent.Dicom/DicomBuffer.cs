using NodeAgent.Dicom.IO.Internal;

namespace NodeAgent.Dicom;

/// <summary>
/// A value kept outside managed memory: a range of the file it was read from (pixel data is
/// referenced by offset, never loaded to be copied), or a temporary spool file. It stays readable
/// until the <see cref="DicomFile"/> that produced it is disposed.
/// </summary>
public abstract class DicomBuffer
{
    /// <summary>Length in bytes; <c>long</c>, since values over 2 GB exist.</summary>
    public abstract long Length { get; }

    /// <summary>Reads up to <paramref name="destination"/>.Length bytes at <paramref name="offset"/> within the value.</summary>
    public abstract int Read(long offset, Span<byte> destination);

    public abstract ValueTask<int> ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default);

    /// <summary>A read-only, seekable stream over the value.</summary>
    public Stream OpenRead() => new DicomBufferStream(this);

    /// <summary>Copies the whole value in bounded chunks.</summary>
    public async ValueTask CopyToAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent((int)Math.Clamp(Length, 1, 1 << 20));
        try
        {
            long offset = 0;
            while (offset < Length)
            {
                var want = (int)Math.Min(chunk.Length, Length - offset);
                var read = await ReadAsync(offset, chunk.AsMemory(0, want), cancellationToken).ConfigureAwait(false);
                if (read <= 0)
                {
                    throw new DicomException($"The value ended after {offset} of {Length} bytes: its source was truncated or changed.");
                }

                await destination.WriteAsync(chunk.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                offset += read;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>Loads the whole value; only for values that fit in memory (under 2 GB).</summary>
    public byte[] ToArray()
    {
        if (Length > Array.MaxLength)
        {
            throw new DicomException($"A value of {Length} bytes cannot be loaded into memory; stream it with OpenRead or CopyToAsync.");
        }

        var result = GC.AllocateUninitializedArray<byte>((int)Length);
        var offset = 0;
        while (offset < result.Length)
        {
            var read = Read(offset, result.AsSpan(offset));
            if (read <= 0)
            {
                throw new DicomException($"The value ended after {offset} of {Length} bytes: its source was truncated or changed.");
            }

            offset += read;
        }

        return result;
    }
}
