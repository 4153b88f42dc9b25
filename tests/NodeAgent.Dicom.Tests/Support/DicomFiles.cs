using NodeAgent.Dicom.IO;

namespace NodeAgent.Dicom.Tests.Support;

/// <summary>Reading and writing test files through a temporary folder that is removed afterwards.</summary>
internal static class DicomFiles
{
    public static DicomFile ReadBytes(byte[] bytes, DicomReadOptions? options = null) =>
        DicomFile.Read(new MemoryStream(bytes, writable: false), options);

    public static string TempPath(string name = "test.dcm")
    {
        var dir = Path.Combine(Path.GetTempPath(), "nodeagent-dicom-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, name);
    }

    public static string WriteTemp(byte[] bytes)
    {
        var path = TempPath();
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public static byte[] Save(DicomFile file, DicomWriteOptions? options = null)
    {
        using var stream = new MemoryStream();
        file.Write(stream, options);
        return stream.ToArray();
    }
}
