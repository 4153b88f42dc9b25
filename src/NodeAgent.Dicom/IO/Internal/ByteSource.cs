namespace NodeAgent.Dicom.IO.Internal;

/// <summary>Where the reader's bytes come from: a file read by position, or a forward-only stream.</summary>
internal abstract class ByteSource : IDisposable
{
    /// <summary>Total length when known, so declared lengths can be checked before anything is allocated.</summary>
    public abstract long? Length { get; }

    /// <summary>Values can be referenced by offset and read later (a file), instead of being copied.</summary>
    public abstract bool CanReference { get; }

    /// <summary>Reads at <paramref name="position"/>; forward-only sources require it to be the next position.</summary>
    public abstract int Read(long position, Span<byte> destination);

    /// <inheritdoc cref="Read"/>
    public abstract ValueTask<int> ReadAsync(long position, Memory<byte> destination, CancellationToken cancellationToken);

    /// <summary>One call for both paths: synchronous callers get a completed task and no allocation.</summary>
    public ValueTask<int> ReadAsync(long position, Memory<byte> destination, bool async, CancellationToken cancellationToken) =>
        async ? ReadAsync(position, destination, cancellationToken) : new ValueTask<int>(Read(position, destination.Span));

    /// <summary>A lazily read value at a position of this source.</summary>
    public virtual DicomBuffer Reference(long position, long length) => throw new NotSupportedException();

    public virtual void Dispose() => GC.SuppressFinalize(this);
}
