using NodeAgent.Dicom.IO;

namespace NodeAgent.Dicom.Tests.Regressions;

/// <summary>Inputs the fuzzer found, kept as regression tests (each named after what it broke).</summary>
public class FuzzFindingTests
{
    /// <summary>A zlib-wrapped deflated dataset with corrupt data made ZLibStream throw its internal ZLibException.</summary>
    [Test]
    public void Corrupt_zlib_data_is_an_invalid_deflate_stream()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Regressions", "fuzz-corrupt-zlib.dcm");

        var ex = Assert.Throws<DicomParseException>(() => DicomFile.Open(path).Dispose());
        Assert.That(ex!.Error, Is.EqualTo(DicomParseError.InvalidDeflateStream));
    }
}
