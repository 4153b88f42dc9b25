namespace NodeAgent.Dicom;

/// <summary>One item of encapsulated pixel data: bytes passed through untouched, in memory or by file offset.</summary>
public sealed class DicomFragment
{
    private readonly ReadOnlyMemory<byte> _memory;

    public DicomFragment(ReadOnlyMemory<byte> data) => _memory = data;

    public DicomFragment(DicomBuffer data)
    {
        ArgumentNullException.ThrowIfNull(data);
        ExternalBuffer = data;
    }

    public long Length => ExternalBuffer?.Length ?? _memory.Length;

    public DicomBuffer? ExternalBuffer { get; }

    public ReadOnlyMemory<byte> GetBytes() => ExternalBuffer is null ? _memory : ExternalBuffer.ToArray();

    internal ReadOnlyMemory<byte> InlineMemory => _memory;
}
