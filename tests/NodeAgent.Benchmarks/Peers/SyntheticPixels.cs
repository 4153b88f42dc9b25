namespace NodeAgent.Benchmarks.Peers;

/// <summary>A pixel value generated on the fly (a ramp), so a 2 GB file can be written without 2 GB of memory.</summary>
internal sealed class SyntheticPixels(long length) : NodeAgent.Dicom.DicomBuffer
{
    public override long Length => length;

    public override int Read(long offset, Span<byte> destination)
    {
        var n = (int)Math.Min(destination.Length, length - offset);
        for (var i = 0; i < n; i++)
        {
            destination[i] = (byte)((offset + i) * 31 >> 8);
        }

        return n;
    }

    public override ValueTask<int> ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default) =>
        new(Read(offset, destination.Span));
}
