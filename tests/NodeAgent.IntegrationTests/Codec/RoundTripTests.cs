using System.Collections.Concurrent;
using NodeAgent.Dicom;
using NodeAgent.Dicom.IO;
using NodeAgent.IntegrationTests.Peers;
using NodeAgent.Testing;

namespace NodeAgent.IntegrationTests.Codec;

/// <summary>
/// Read → write → read keeps every dataset equal (in its own transfer syntax, and through every
/// other uncompressed syntax and back), DCMTK's dcmdump reads everything we write, and dicom3tools'
/// dciodvfy finds no more errors in what we write than in what we read.
/// </summary>
[TestFixture]
[Category("Peers")]
public sealed class RoundTripTests
{
    private static readonly DicomTransferSyntax[] Uncompressed =
    [
        DicomTransferSyntax.ImplicitVRLittleEndian,
        DicomTransferSyntax.ExplicitVRLittleEndian,
        DicomTransferSyntax.ExplicitVRBigEndian,
        DicomTransferSyntax.DeflatedExplicitVRLittleEndian,
    ];

    private string _work = null!;
    private List<string> _inputs = null!;
    private readonly ConcurrentDictionary<string, string> _sameSyntaxOutputs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _explicitOutputs = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<string> _failures = [];

    [OneTimeSetUp]
    public void WriteEveryFileInEverySyntax()
    {
        _work = Path.Combine(Path.GetTempPath(), $"nodeagent-roundtrip-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_work);
        _inputs = [.. CodecCorpora.Mixed.Files, .. CodecCorpora.DebianSampleFiles().Where(p => !CodecCorpora.IsKnownMalformed(p))];
        var index = 0;
        Parallel.ForEach(_inputs, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, input =>
        {
            var id = Interlocked.Increment(ref index);
            try
            {
                WriteVariants(input, id);
            }
            catch (Exception ex) when (ex is DicomException or IOException)
            {
                _failures.Add($"{Path.GetFileName(input)}: {ex.GetType().Name}: {ex.Message}");
            }
        });
    }

    [OneTimeTearDown]
    public void RemoveOutputs() => Directory.Delete(_work, recursive: true);

    [Test]
    public void Every_file_is_written_and_read_back_without_error()
    {
        Assert.That(_inputs, Has.Count.GreaterThan(400));
        Assert.That(_failures, Is.Empty, string.Join('\n', _failures.Take(30)));
        Assert.That(_sameSyntaxOutputs, Has.Count.EqualTo(_inputs.Count));
    }

    [Test]
    public void Read_write_read_gives_an_equal_dataset()
    {
        var differences = new List<string>();
        foreach (var (input, output) in _sameSyntaxOutputs)
        {
            using var original = DicomFile.Open(input);
            using var copy = DicomFile.Open(output);
            Assert.That(copy.TransferSyntax, Is.EqualTo(original.TransferSyntax), Path.GetFileName(input));
            var diff = DicomDatasetDiff.Compare(original.Dataset, copy.Dataset, 5);
            if (diff.Count > 0)
            {
                differences.Add($"{Path.GetFileName(input)}: {string.Join("; ", diff)}");
            }
        }

        Assert.That(differences, Is.Empty, string.Join('\n', differences.Take(30)));
    }

    [Test]
    public void Dcmdump_reads_every_written_file()
    {
        var outputs = Directory.GetFiles(_work, "*.dcm", SearchOption.AllDirectories);
        Assert.That(outputs, Has.Length.GreaterThan(_inputs.Count));
        var unreadable = new ConcurrentBag<string>();
        Parallel.ForEach(outputs.Chunk(100), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, batch =>
        {
            var result = ExternalProcess.Run("dcmdump", ["-q", "+E", .. batch]);
            foreach (var line in result.StandardError.Split('\n').Where(l => l.StartsWith("E:", StringComparison.Ordinal)))
            {
                unreadable.Add(line);
            }

            if (result.ExitCode != 0 && unreadable.IsEmpty)
            {
                unreadable.Add($"dcmdump exit code {result.ExitCode}");
            }
        });

        Assert.That(unreadable, Is.Empty, string.Join('\n', unreadable.Take(30)));
    }

    [Test]
    public void Dciodvfy_finds_no_more_errors_in_our_output_than_in_the_input()
    {
        var worse = new ConcurrentBag<string>();
        var pairs = _sameSyntaxOutputs.Concat(_explicitOutputs).ToList();
        Parallel.ForEach(pairs, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, pair =>
        {
            var before = Dciodvfy.CountErrors(pair.Key, _work);
            var after = Dciodvfy.CountErrors(pair.Value, _work);
            if (after > before)
            {
                worse.Add($"{Path.GetFileName(pair.Key)} -> {Path.GetFileName(pair.Value)}: {before} errors before, {after} after");
            }
        });

        Assert.That(worse, Is.Empty, string.Join('\n', worse.Take(30)));
    }

    private void WriteVariants(string input, int id)
    {
        using var original = DicomFile.Open(input);
        var same = Path.Combine(_work, $"{id:D5}-same.dcm");
        original.Save(same);
        _sameSyntaxOutputs[input] = same;
        if (original.TransferSyntax.IsEncapsulated)
        {
            return;
        }

        foreach (var target in Uncompressed)
        {
            var converted = Path.Combine(_work, $"{id:D5}-{target.Uid}.dcm");
            original.Save(converted, new DicomWriteOptions { TransferSyntax = target });
            using (var reread = DicomFile.Open(converted))
            {
                Assert.That(reread.TransferSyntax, Is.EqualTo(target));
                Expect(DicomDatasetDiff.Compare(original.Dataset, reread.Dataset, 3), input, $"in {target.Name}");

                var back = Path.Combine(_work, $"{id:D5}-{target.Uid}-back.dcm");
                reread.Save(back, new DicomWriteOptions { TransferSyntax = original.TransferSyntax });
                using var backAgain = DicomFile.Open(back);
                Expect(DicomDatasetDiff.Compare(original.Dataset, backAgain.Dataset, 3), input, $"through {target.Name} and back");
            }

            if (target.Equals(DicomTransferSyntax.ExplicitVRLittleEndian) && input.StartsWith(CodecCorpora.Mixed.Directory, StringComparison.Ordinal))
            {
                _explicitOutputs[input] = converted;
            }
        }
    }

    private void Expect(IReadOnlyList<string> differences, string input, string how)
    {
        if (differences.Count > 0)
        {
            _failures.Add($"{Path.GetFileName(input)} {how}: {string.Join("; ", differences)}");
        }
    }
}
