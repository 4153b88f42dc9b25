using NodeAgent.Dicom;
using NodeAgent.Dicom.IO;

namespace NodeAgent.Fuzzing;

/// <summary>Seed inputs: datasets written by our own writer in every uncompressed syntax, plus files from a folder.</summary>
public static class SeedCorpus
{
    public static List<byte[]> Create(string? folder = null, int maxFolderFiles = 200)
    {
        var seeds = new List<byte[]>();
        foreach (var syntax in new[] { DicomTransferSyntax.ExplicitVRLittleEndian, DicomTransferSyntax.ImplicitVRLittleEndian, DicomTransferSyntax.ExplicitVRBigEndian, DicomTransferSyntax.DeflatedExplicitVRLittleEndian })
        {
            seeds.Add(Write(Sample(), syntax, DicomSequenceLengthEncoding.Undefined));
            seeds.Add(Write(Sample(), syntax, DicomSequenceLengthEncoding.Defined));
        }

        seeds.Add(Encapsulated());
        seeds.Add(ZlibWrapped());
        if (folder is not null && Directory.Exists(folder))
        {
            seeds.AddRange(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Where(f => new FileInfo(f).Length < 256 * 1024)
                .Order(StringComparer.Ordinal)
                .Take(maxFolderFiles)
                .Select(File.ReadAllBytes));
        }

        return seeds;
    }

    private static DicomDataset Sample()
    {
        var ds = new DicomDataset();
        ds.AddOrUpdate(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 100");
        ds.AddOrUpdate(DicomTags.SOPClassUID, DicomVR.UI, DicomUids.CTImageStorage);
        ds.AddOrUpdate(DicomTags.SOPInstanceUID, DicomVR.UI, "1.2.826.0.1.3680043.8.498.1");
        ds.AddOrUpdate(DicomTags.PatientName, "Müller^Anna");
        ds.AddOrUpdate(DicomTags.ImageType, DicomVR.CS, "ORIGINAL", "PRIMARY");
        ds.AddOrUpdate(DicomTags.PixelSpacing, DicomVR.DS, "0.5", "0.5");
        ds.AddOrUpdate(DicomTags.Rows, DicomVR.US, (ushort)4);
        ds.AddOrUpdate(DicomTags.PixelRepresentation, DicomVR.US, (ushort)1);
        ds.AddOrUpdate(DicomTags.SmallestImagePixelValue, DicomVR.SS, (short)-3);
        var item = new DicomDataset().AddOrUpdate(DicomTags.ReferencedSOPInstanceUID, DicomVR.UI, "1.2.3");
        item.AddOrUpdate(new DicomSequence(DicomTags.PurposeOfReferenceCodeSequence, new DicomDataset().AddOrUpdate(DicomTags.CodeValue, "121311")));
        ds.AddOrUpdate(new DicomSequence(DicomTags.ReferencedImageSequence, item, new DicomDataset()));
        var block = ds.GetPrivateBlock(0x0029, "SIEMENS CSA HEADER", reserve: true)!;
        ds.AddOrUpdate(new DicomElement(block.Tag(0x10), DicomVR.OB, new byte[] { 1, 2, 3, 4, 5, 6 }));
        ds.AddOrUpdate(DicomTags.PixelData, DicomVR.OW, Enumerable.Range(0, 16).Select(i => (ushort)i).ToArray());
        return ds;
    }

    private static byte[] Encapsulated()
    {
        var ds = Sample();
        ds.AddOrUpdate(new DicomFragmentSequence(DicomTags.PixelData, DicomVR.OB, new DicomFragment(new byte[] { 0, 0, 0, 0 }), new DicomFragment(new byte[] { 0xFF, 0xD8, 0xFF, 0xD9 })));
        return Write(ds, DicomTransferSyntax.FromUid(DicomUids.JPEGBaseline8Bit), DicomSequenceLengthEncoding.Undefined);
    }

    /// <summary>A deflated dataset wrapped in zlib, as some writers produce by mistake (the reader accepts it).</summary>
    private static byte[] ZlibWrapped()
    {
        var deflated = Write(Sample(), DicomTransferSyntax.DeflatedExplicitVRLittleEndian, DicomSequenceLengthEncoding.Undefined);
        using var file = DicomFile.Read(new MemoryStream(deflated));
        var bodyStart = 132 + 12 + (int)file.FileMetaInformation.GetValue<uint>(DicomTags.FileMetaInformationGroupLength)!.Value;
        using var inflated = new MemoryStream();
        using (var inflater = new System.IO.Compression.DeflateStream(new MemoryStream(deflated, bodyStart, deflated.Length - bodyStart), System.IO.Compression.CompressionMode.Decompress))
        {
            inflater.CopyTo(inflated);
        }

        using var output = new MemoryStream();
        output.Write(deflated.AsSpan(0, bodyStart));
        using (var zlib = new System.IO.Compression.ZLibStream(output, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            zlib.Write(inflated.ToArray());
        }

        return output.ToArray();
    }

    private static byte[] Write(DicomDataset dataset, DicomTransferSyntax syntax, DicomSequenceLengthEncoding sequences)
    {
        using var stream = new MemoryStream();
        new DicomFile(dataset, syntax).Write(stream, new DicomWriteOptions { SequenceLength = sequences });
        return stream.ToArray();
    }
}
