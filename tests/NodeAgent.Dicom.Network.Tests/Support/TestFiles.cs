using NodeAgent.Dicom.IO;

namespace NodeAgent.Dicom.Network.Tests.Support;

/// <summary>Small DICOM files written by our own writer into a temporary folder.</summary>
internal static class TestFiles
{
    public static string Folder()
    {
        var dir = Path.Combine(Path.GetTempPath(), "nodeagent-network-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static DicomDataset Instance(int index, int pixels = 64)
    {
        var ds = new DicomDataset();
        ds.AddOrUpdate(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 192");
        ds.AddOrUpdate(DicomTags.SOPClassUID, DicomVR.UI, DicomUids.CTImageStorage);
        ds.AddOrUpdate(DicomTags.SOPInstanceUID, DicomVR.UI, $"1.2.826.0.1.3680043.8.498.7.{index}");
        ds.AddOrUpdate(DicomTags.StudyInstanceUID, DicomVR.UI, "1.2.826.0.1.3680043.8.498.7");
        ds.AddOrUpdate(DicomTags.PatientName, "Łukasz^Żółć");
        ds.AddOrUpdate(DicomTags.Modality, "CT");
        ds.AddOrUpdate(DicomTags.PixelData, DicomVR.OW, Enumerable.Range(0, pixels).Select(i => (ushort)(i * index)).ToArray());
        return ds;
    }

    public static string Write(string folder, int index, DicomTransferSyntax syntax, int pixels = 64)
    {
        var path = Path.Combine(folder, $"{index:D4}.dcm");
        new DicomFile(Instance(index, pixels), syntax).Save(path, new DicomWriteOptions { FlushToDisk = false });
        return path;
    }
}
