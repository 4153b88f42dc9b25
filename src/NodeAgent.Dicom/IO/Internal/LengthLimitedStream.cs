namespace NodeAgent.Dicom.IO.Internal;

/// <summary>Reads through to an inner stream and refuses to deliver more than a limit (a deflate bomb's inflated output).</summary>
internal sealed class LengthLimitedStream(Stream inner, long limit) : ReadOnlyForwardStream
{
    private long _read;

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Count(int read)
    {
        _read += read;
        if (_read > limit)
        {
            throw new DicomParseException(DicomParseError.TooLarge, limit, $"the deflated dataset inflates to more than {limit} bytes.");
        }

        return read;
    }
}
