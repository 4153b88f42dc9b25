using System.Text.Json.Nodes;
using NodeAgent.Dicom;
using NodeAgent.Dicom.IO;
using NodeAgent.Dicom.Json;
using NodeAgent.IntegrationTests.Peers;

namespace NodeAgent.IntegrationTests.Codec;

/// <summary>
/// Every file of a synthetic corpus and every Debian sample file parses, and its DICOM JSON equals
/// pydicom's <c>to_json_dict()</c> under the normalisation documented on <see cref="DicomJsonComparison"/>.
/// </summary>
[TestFixture]
[Category("Peers")]
public sealed class PydicomConformanceTests
{
    private PydicomReference _reference = null!;
    private IReadOnlyList<string> _corpusFiles = null!;

    public static IEnumerable<TestCaseData> DebianSamples() =>
        CodecCorpora.DebianSampleFiles().Select(p => new TestCaseData(p).SetArgDisplayNames(Path.GetFileName(p)));

    [OneTimeSetUp]
    public void ComputeReferenceJson()
    {
        _corpusFiles = CodecCorpora.Mixed.Files;
        _reference = PydicomReference.For(CodecCorpora.DebianSampleFiles().Concat(_corpusFiles));
    }

    [TestCaseSource(nameof(DebianSamples))]
    public void Debian_sample_file_matches_pydicom(string path)
    {
        if (CodecCorpora.Malformed.TryGetValue(Path.GetFileName(path), out var expected))
        {
            var error = Assert.Throws<DicomParseException>(() => DicomFile.Open(path).Dispose());
            Assert.That(error!.Error, Is.EqualTo(expected));
            if (CodecCorpora.ReadableWhenTruncationAllowed.Contains(Path.GetFileName(path)))
            {
                var lenient = CompareWithPydicom(path, new DicomReadOptions { AllowTruncatedContainers = true });
                Assert.That(lenient, Is.Empty, $"{Path.GetFileName(path)} read with truncated containers allowed differs from pydicom:\n{string.Join('\n', lenient.Take(30))}");
            }

            return;
        }

        var differences = CompareWithPydicom(path);
        Assert.That(differences, Is.Empty, $"{Path.GetFileName(path)} differs from pydicom:\n{string.Join('\n', differences.Take(30))}");
    }

    [Test]
    public void Every_file_of_the_synthetic_corpus_matches_pydicom()
    {
        Assert.That(_corpusFiles, Has.Count.GreaterThan(200));
        var failures = new List<string>();
        foreach (var path in _corpusFiles)
        {
            var differences = CompareWithPydicom(path);
            if (differences.Count > 0)
            {
                failures.Add($"{Path.GetRelativePath(CodecCorpora.Mixed.Directory, path)}: {string.Join("; ", differences.Take(5))}");
            }
        }

        Assert.That(failures, Is.Empty, $"{failures.Count} of {_corpusFiles.Count} files differ:\n{string.Join('\n', failures.Take(40))}");
    }

    private List<string> CompareWithPydicom(string path, DicomReadOptions? options = null)
    {
        var reference = _reference[path];
        Assert.That(reference.Ok, Is.True, $"pydicom could not read {Path.GetFileName(path)} ({reference.Error})");
        using var file = DicomFile.Open(path, options);
        var ours = JsonNode.Parse(DicomJsonWriter.Serialize(file.Dataset))!.AsObject();
        return DicomJsonComparison.Compare(ours, reference.Json!, reference.BigEndian, reference.Suppressed);
    }
}
