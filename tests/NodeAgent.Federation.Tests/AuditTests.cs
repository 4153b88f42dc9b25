using System.Globalization;
using System.Text;
using NodeAgent.Federation.Audit;
using NodeAgent.Federation.Tests.Reference;

namespace NodeAgent.Federation.Tests;

public sealed class AuditTests
{
    private static readonly byte[] Key = Enumerable.Range(0, 32).Select(i => (byte)(i * 3)).ToArray();
    private string _root = null!;

    [SetUp]
    public void CreateRoot() => _root = Directory.CreateTempSubdirectory("nodeagent-audit-").FullName;

    [TearDown]
    public void DeleteRoot() => Directory.Delete(_root, recursive: true);

    private string Log => Path.Combine(_root, "audit.log");

    private async Task WriteAsync(int entries)
    {
        using var log = AuditLog.Open(Log, Key);
        for (var i = 0; i < entries; i++)
        {
            await log.RecordAsync(new AuditEntry(DateTimeOffset.UtcNow, "hub", "Count", new string('a', 63) + (i % 10), "answered", new Dictionary<string, string> { ["patients"] = (i * 10).ToString(System.Globalization.CultureInfo.InvariantCulture), ["studies"] = "<10" }));
        }
    }

    [Test]
    public async Task An_untouched_log_verifies_and_a_reopened_one_continues_its_chain()
    {
        await WriteAsync(20);
        await WriteAsync(5);
        var result = AuditVerifier.Verify(Log, Key);
        Assert.Multiple(() =>
        {
            Assert.That(result.Problem, Is.Null);
            Assert.That(result.IntactLines, Is.EqualTo(25));
        });
    }

    [Test]
    public async Task Answers_recorded_at_once_from_many_threads_each_get_their_own_line_in_one_intact_chain()
    {
        // Lines that arrive together are written together (group commit); every caller still gets
        // its own sequence number, and the chain holds across the batches.
        long[] sequences;
        using (var log = AuditLog.Open(Log, Key))
        {
            sequences = await Task.WhenAll(Enumerable.Range(0, 3000).Select(i => Task.Run(() => log.RecordAsync(
                new AuditEntry(DateTimeOffset.UtcNow, "hub-" + (i % 7), "Count", i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture), "answered", new Dictionary<string, string> { ["patients"] = "<10" })))));
            Assert.That(log.Head.Sequence, Is.EqualTo(3000));
        }

        // Each caller's number is the number of its own line.
        var lineOfQuery = File.ReadLines(Log)
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
            .ToDictionary(e => e.GetProperty("query").GetString()!, e => e.GetProperty("seq").GetInt64());
        var result = AuditVerifier.Verify(Log, Key);
        Assert.Multiple(() =>
        {
            Assert.That(sequences.Order(), Is.EqualTo(Enumerable.Range(1, 3000).Select(i => (long)i)));
            Assert.That(Enumerable.Range(0, 3000).Count(i => lineOfQuery[i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture)] != sequences[i]), Is.Zero);
            Assert.That(result.Problem, Is.Null);
            Assert.That(result.IntactLines, Is.EqualTo(3000));
        });
    }

    [Test]
    public async Task A_closed_log_refuses_new_lines_instead_of_losing_them()
    {
        var log = AuditLog.Open(Log, Key);
        await log.RecordAsync(new AuditEntry(DateTimeOffset.UtcNow, "hub", "Count", "h", "answered", null));
        log.Dispose();
        Assert.Throws<ObjectDisposedException>(() => log.RecordAsync(new AuditEntry(DateTimeOffset.UtcNow, "hub", "Count", "h", "answered", null)));
        Assert.That(AuditVerifier.Verify(Log, Key).IntactLines, Is.EqualTo(1));
    }

    [Test]
    public async Task Any_edit_deletion_insertion_or_reordering_is_detected_at_its_line()
    {
        await WriteAsync(30);
        var original = File.ReadAllLines(Log);

        var edited = (string[])original.Clone();
        edited[11] = edited[11].Replace("\"patients\":\"110\"", "\"patients\":\"10\"", StringComparison.Ordinal);
        Assert.That(edited[11], Is.Not.EqualTo(original[11]));
        Check(edited, 12, "was changed");

        Check(original.Where((_, i) => i != 7).ToArray(), 8, "sequence number");
        Check([.. original[..5], original[6], original[5], .. original[7..]], 6, "sequence number");
        Check([.. original[..3], original[3], .. original[3..]], 5, "sequence number");
        Check(original[1..], 1, "sequence number");

        // Renumbered to hide a deletion: the chain of MACs still breaks.
        var renumbered = original.Where((_, i) => i != 7).Select((line, i) => i >= 7 ? line.Replace($"\"seq\":{i + 2},", $"\"seq\":{i + 1},", StringComparison.Ordinal) : line).ToArray();
        Check(renumbered, 8, "does not follow");

        Assert.That(AuditVerifier.Verify(Log, new byte[32]).Problem, Does.Contain("line 1 "), "another key");

        // Byte-level edits that parse to the same JSON, and values of the wrong type.
        Assert.That(original[2], Does.Contain("\\u003C10"), "the log escapes < as JSON allows");
        Check([.. original[..2], original[2].Replace("\"\\u003C10\"", "\"<10\"", StringComparison.Ordinal), .. original[3..]], 3, "was changed");
        Check([.. original[..2], original[2].Replace("\"seq\":3", "\"seq\":\"3\"", StringComparison.Ordinal), .. original[3..]], 3, "sequence number");
        Check([.. original[..2], original[2].Replace("\"seq\":3", "\"seq\":3,\"seq\":3", StringComparison.Ordinal), .. original[3..]], 3, "not an audit entry");
    }

    [Test]
    public async Task A_log_whose_last_line_is_very_long_reopens()
    {
        using (var log = AuditLog.Open(Log, Key))
        {
            var cells = Enumerable.Range(0, 5000).ToDictionary(i => "manufacturermodel=MODEL " + i, i => "10");
            await log.RecordAsync(new AuditEntry(DateTimeOffset.UtcNow, "hub", "Facets", "h", "answered", cells));
        }

        await WriteAsync(2);
        Assert.That(AuditVerifier.Verify(Log, Key).IntactLines, Is.EqualTo(3));
    }

    [Test]
    public async Task A_line_cut_short_by_a_crash_is_dropped_and_the_chain_goes_on()
    {
        await WriteAsync(10);
        File.AppendAllText(Log, "{\"seq\":11,\"time\":\"2026-");
        await WriteAsync(3);
        var result = AuditVerifier.Verify(Log, Key);
        Assert.Multiple(() =>
        {
            Assert.That(result.Problem, Is.Null);
            Assert.That(result.IntactLines, Is.EqualTo(13));
        });
    }

    // Everything the default JSON escaping treats specially, non-ASCII of one to four UTF-8 bytes,
    // and lines long enough to outgrow any buffer kept between lines.
    private static readonly string[] Awkward = ["hub", "<10", ">", "&", "'", "+", "`", "a\"b", "back\\slash", "tab\t", "\u0001\u001f\u007f", "é", "日本", "😀", "\u2028\u2029", "\ufeff", "", " ", "withheld cells", "manufacturermodel=MODEL 1"];

    private static AuditEntry Entry(int i)
    {
        string A(int n) => Awkward[(i + n) % Awkward.Length];
        IReadOnlyDictionary<string, string>? released = (i % 5) switch
        {
            0 => null,
            1 => new Dictionary<string, string>(),
            2 => new Dictionary<string, string> { ["patients"] = A(1), ["studies"] = "<10", ["series"] = A(2), ["instances"] = "12340" },
            3 => Enumerable.Range(0, i % 400 == 3 ? 3000 : 3).ToDictionary(c => A(c) + c.ToString(CultureInfo.InvariantCulture), c => A(c + 3)),
            _ => new Dictionary<string, string> { [A(4)] = A(5) },
        };

        // Times in several offsets, with and without fractions of a second.
        var time = new DateTimeOffset(2026, 1 + (i % 12), 1 + (i % 28), i % 24, i % 60, i % 60, TimeSpan.FromHours((i % 27) - 13)).AddTicks(i % 3 == 0 ? 0 : i * 1_234_567L);
        return new AuditEntry(time, A(0) + i.ToString(CultureInfo.InvariantCulture), i % 2 == 0 ? "Count" : A(6), i.ToString("x64", CultureInfo.InvariantCulture), "answered" + A(7), released);
    }

    [Test]
    public async Task Lines_from_many_threads_are_byte_for_byte_the_reference_lines_with_the_one_shot_macs()
    {
        const int Count = 2000;
        var entries = Enumerable.Range(0, Count).Select(Entry).ToList();
        using (var log = AuditLog.Open(Log, Key))
        {
            await Task.WhenAll(Enumerable.Range(0, Count).Select(i => Task.Run(() => log.RecordAsync(entries[i]))));
            await log.RecordAsync(entries[0] with { QueryHash = null });
        }

        // Reopened: the chain continues from the MAC read back from the file.
        using (var log = AuditLog.Open(Log, Key))
        {
            await log.RecordAsync(entries[1]);
        }

        var entryOfQuery = entries.ToDictionary(e => e.QueryHash!);
        var lines = Encoding.UTF8.GetString(File.ReadAllBytes(Log)).Split('\n');
        Assert.That(lines, Has.Length.EqualTo(Count + 3));
        Assert.That(lines[^1], Is.Empty);
        var previous = AuditLog.Genesis(Key);
        var wrong = new List<int>();
        for (var n = 0; n < Count + 2; n++)
        {
            var query = System.Text.Json.JsonDocument.Parse(lines[n]).RootElement.GetProperty("query").GetString();
            var entry = n == Count ? entries[0] with { QueryHash = null } : entryOfQuery[query!];
            var (expected, mac) = ReferenceAuditLine.Of(Key, entry, n + 1, previous);
            if (!string.Equals(lines[n], expected, StringComparison.Ordinal))
            {
                wrong.Add(n + 1);
            }

            previous = mac;
        }

        Assert.That(wrong, Is.Empty, "lines that differ from the reference");
    }

    [Test]
    public void An_entry_with_lone_surrogates_is_written_as_before_with_replacement_characters()
    {
        // The reference formatting (a JsonObject) writes a lone surrogate as an escaped U+FFFD; the
        // log writes the same bytes, and the line stays in the chain.
        var entry = new AuditEntry(DateTimeOffset.UnixEpoch, "hub\ud800", "Count", "q", "answered", new Dictionary<string, string> { ["x\udc00"] = "y" });
        var expected = ReferenceAuditLine.Fields(entry);
        Assert.That(expected, Does.Contain("\"requester\":\"hub\\uFFFD\"").And.Contain("\"x\\uFFFD\":\"y\""));

        using var log = AuditLog.Open(Log, Key);
        log.RecordAsync(entry).GetAwaiter().GetResult();
        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllText(Log), Does.Contain(expected));
            Assert.That(log.Head.Sequence, Is.EqualTo(1));
        });
    }

    private void Check(string[] lines, int brokenLine, string problem)
    {
        var path = Path.Combine(_root, "tampered.log");
        File.WriteAllLines(path, lines);
        var result = AuditVerifier.Verify(path, Key);
        Assert.Multiple(() =>
        {
            Assert.That(result.IsIntact, Is.False);
            Assert.That(result.Problem, Does.StartWith($"line {brokenLine} ").And.Contain(problem));
        });
    }
}
