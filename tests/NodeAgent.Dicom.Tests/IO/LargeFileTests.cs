using System.Buffers.Binary;
using NodeAgent.Dicom.Tests.Support;

namespace NodeAgent.Dicom.Tests.IO;

/// <summary>
/// Files over 4 GB: offsets are 64-bit, fragments stay in the file, and rewriting streams them
/// with bounded memory. The file is sparse, so it costs no disk and reads as zeros.
/// </summary>
public class LargeFileTests
{
    private static readonly uint[] FragmentLengths = [0x7FFF_FFF0, 0x7FFF_FFF0, 0x1000_0000];
    private string _path = null!;
    private long _trailerOffset;

    [OneTimeSetUp]
    public void CreateSparseFile()
    {
        _path = DicomFiles.TempPath("over-4gb.dcm");
        var header = RawDicom.Part10(DicomUids.JPEG2000Lossless)
            .Text(0x0008, 0x0016, "UI", DicomUids.CTImageStorage)
            .Text(0x0008, 0x0018, "UI", "1.2.3.4")
            .SequenceHeader(0x7FE0, 0x0010, vr: "OB")
            .Item(0)
            .ToArray();
        using var stream = new FileStream(_path, FileMode.CreateNew, FileAccess.Write);
        stream.Write(header);
        foreach (var length in FragmentLengths)
        {
            stream.Write(ItemHeader(0xE000, length));
            stream.Seek(length, SeekOrigin.Current);
        }

        stream.Write(ItemHeader(0xE0DD, 0));
        _trailerOffset = stream.Position;
        stream.Write(new RawDicom().Element(0xFFFC, 0xFFFC, "OB", [0xAB, 0xCD]).ToArray());
    }

    [OneTimeTearDown]
    public void RemoveFile() => File.Delete(_path);

    [Test]
    public void Elements_after_the_4_GB_mark_are_read_at_their_64_bit_offsets()
    {
        using var file = DicomFile.Open(_path);

        Assert.That(_trailerOffset, Is.GreaterThan(uint.MaxValue));
        var pixels = (DicomFragmentSequence)file.Dataset[DicomTags.PixelData]!;
        Assert.That(pixels.Fragments, Has.Count.EqualTo(3));
        Assert.That(pixels.Fragments.Select(f => (uint)f.Length), Is.EqualTo(FragmentLengths));
        Assert.That(pixels.Fragments.All(f => f.ExternalBuffer is not null), Is.True);
        Assert.That(file.Dataset.GetElement(DicomTags.DataSetTrailingPadding)!.GetBytes().ToArray(), Is.EqualTo(new byte[] { 0xAB, 0xCD }));
    }

    [Test]
    public void Rewriting_streams_the_fragments_with_bounded_memory()
    {
        using var file = DicomFile.Open(_path);
        using var sink = new TailRecordingStream(16);
        var before = GC.GetTotalAllocatedBytes(precise: true);

        file.Write(sink);

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.That(sink.Length, Is.GreaterThan(FragmentLengths.Sum(l => (long)l)));
        Assert.That(sink.Tail[^2..], Is.EqualTo(new byte[] { 0xAB, 0xCD }));
        Assert.That(allocated, Is.LessThan(16 * 1024 * 1024), "memory must not grow with the size of the value");
    }

    private static byte[] ItemHeader(ushort element, uint length)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), element);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), length);
        return bytes;
    }

    /// <summary>Counts what is written and keeps only the last bytes.</summary>
    private sealed class TailRecordingStream(int keep) : Stream
    {
        private readonly byte[] _tail = new byte[keep];
        private long _length;

        public byte[] Tail => _tail;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position
        {
            get => _length;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _length += buffer.Length;
            if (buffer.Length >= keep)
            {
                buffer[^keep..].CopyTo(_tail);
            }
            else
            {
                _tail.AsSpan(buffer.Length).CopyTo(_tail);
                buffer.CopyTo(_tail.AsSpan(keep - buffer.Length));
            }
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
