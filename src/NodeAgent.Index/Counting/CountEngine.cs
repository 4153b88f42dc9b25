using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Counting.Internal;

namespace NodeAgent.Index.Counting;

/// <summary>
/// Answers counts and facets from memory. Records are held as columns sorted by patient and study;
/// text fields as a bitmap per value, numbers as narrow codes into their sorted distinct values. A
/// query becomes a bitmap of matching series (bitmap ORs for text tests, a vectorised scan of codes
/// for ranges), and passes over its words count series and instances and, because rows are sorted,
/// distinct studies and patients as runs.
/// An instance is an immutable snapshot, safe for any number of readers; a changed catalogue gives a new one.
/// </summary>
public sealed class CountEngine
{
    private const int Missing = NumberColumn.Missing;
    private static readonly CatalogueField[] TextFields = [CatalogueField.Modality, CatalogueField.BodyPart, CatalogueField.Sex, CatalogueField.Manufacturer, CatalogueField.ManufacturerModel];
    private readonly int _rows;
    private readonly int _words;
    private readonly int[] _patient;
    private readonly int[] _study;
    private readonly SummedColumn _instances;
    private readonly int _studyCount;

    // A study filed under two patient keys has its rows in more than one run; such studies get a slot
    // in a small bitmap so they count once. Every other study is one run and counts by its first row.
    private readonly int[] _splitSlot;
    private readonly int _splitStudies;
    private readonly ulong[] _samePatientAsPrevious;
    private readonly ulong[] _sameStudyAsPrevious;
    private readonly ulong[] _splitStudyRows;
    private readonly string[] _studyUids;
    private readonly Lazy<StudyRows> _studyRows;
    private readonly Dictionary<CatalogueField, TextColumn> _text = [];
    private readonly Dictionary<CatalogueField, NumberColumn> _numbers = [];

    private CountEngine(IEnumerable<SeriesRecord> records)
    {
        // Streamed: records are read once into columns and never held, so a million series cost the
        // columns (tens of bytes each), not the objects.
        var patient = new List<int>();
        var study = new List<int>();
        var instances = new List<int>();
        var age = new List<int>();
        var date = new List<int>();
        var patients = new Dictionary<string, int>(StringComparer.Ordinal);
        var studies = new Dictionary<string, int>(StringComparer.Ordinal);
        var text = TextFields.ToDictionary(f => f, _ => new TextColumnBuilder());
        var rowOfSeries = new Dictionary<string, int>(StringComparer.Ordinal);
        ulong fingerprint = 0;
        foreach (var r in records)
        {
            fingerprint += RecordHash(r);
            // The same series from two sources (a PACS and its export folder) is one series.
            if (r.SeriesInstanceUid.Length > 0)
            {
                if (rowOfSeries.TryGetValue(r.SeriesInstanceUid, out var existing))
                {
                    instances[existing] = Math.Max(instances[existing], r.Instances);
                    continue;
                }

                rowOfSeries[r.SeriesInstanceUid] = patient.Count;
            }

            patient.Add(Code(patients, r.PatientKey));
            study.Add(Code(studies, r.StudyInstanceUid));
            instances.Add(r.Instances);
            text[CatalogueField.Modality].Add(r.Modality);
            text[CatalogueField.BodyPart].Add(r.BodyPart);
            text[CatalogueField.Sex].Add(r.Sex);
            text[CatalogueField.Manufacturer].Add(r.Manufacturer);
            text[CatalogueField.ManufacturerModel].Add(r.ManufacturerModel);
            age.Add(r.AgeYears ?? Missing);
            date.Add(r.StudyDate ?? Missing);
        }

        Fingerprint = fingerprint;
        _rows = patient.Count;
        _words = (_rows + 63) >> 6;
        _studyCount = studies.Count;
        _studyUids = new string[_studyCount];
        foreach (var (uid, code) in studies)
        {
            _studyUids[code] = uid;
        }

        // Sorted by patient, then study: the rows of a study (and of a patient) are contiguous.
        var order = Enumerable.Range(0, _rows).ToArray();
        var keys = new long[_rows];
        for (var i = 0; i < _rows; i++)
        {
            keys[i] = ((long)patient[i] << 32) | (uint)study[i];
        }

        Array.Sort(keys, order);
        _patient = Reorder(patient, order);
        _study = Reorder(study, order);
        // Only Search needs rows by study; sites that never enable it never pay for the index.
        _studyRows = new Lazy<StudyRows>(() => StudyRows.Of(_study, _studyCount));
        _instances = SummedColumn.Of(Reorder(instances, order));
        (_splitSlot, _splitStudies) = SplitStudies(_study, _studyCount);
        _samePatientAsPrevious = SameAsPrevious(_patient, _words);
        _sameStudyAsPrevious = SameAsPrevious(_study, _words);
        _splitStudyRows = SplitStudyRows(_study, _splitSlot, _splitStudies == 0 ? 0 : _words);
        foreach (var field in TextFields)
        {
            _text[field] = text[field].Build(order, _words);
        }

        _numbers[CatalogueField.Age] = NumberColumn.Of(Reorder(age, order));
        var dates = Reorder(date, order);
        _numbers[CatalogueField.StudyDate] = NumberColumn.Of(dates);
        _numbers[CatalogueField.StudyYear] = NumberColumn.Of(dates.Select(d => d == Missing ? Missing : d / 10000).ToArray());
    }

    public int SeriesCount => _rows;

    /// <summary>Distinct studies; study codes run from 0 to this, exclusive.</summary>
    public int StudyCount => _studyCount;

    /// <summary>
    /// A fingerprint of the records counted (their order does not matter): the same catalogue content
    /// gives the same value, across restarts; any change of a counted field changes it. Disclosure
    /// control keys its noise on it, so noise is fixed for the data, not for the process.
    /// </summary>
    public ulong Fingerprint { get; }

    // FNV-1a over the fields an answer depends on; summed over records, so the order does not matter.
    private static ulong RecordHash(SeriesRecord r)
    {
        var hash = 14695981039346656037UL;
        void Add(string? text)
        {
            foreach (var c in text ?? "\0")
            {
                hash = (hash ^ c) * 1099511628211UL;
            }

            hash = (hash ^ 0x1F) * 1099511628211UL;
        }

        Add(r.Id);
        Add(r.PatientKey);
        Add(r.StudyInstanceUid);
        Add(r.SeriesInstanceUid);
        Add(r.Modality);
        Add(r.BodyPart);
        Add(r.Sex);
        Add(r.Manufacturer);
        Add(r.ManufacturerModel);
        Add(r.AgeYears?.ToString(CultureInfo.InvariantCulture));
        Add(r.StudyDate?.ToString(CultureInfo.InvariantCulture));
        Add(r.Instances.ToString(CultureInfo.InvariantCulture));
        return hash;
    }

    /// <summary>Builds the engine from records, read once (a LiteDB cursor streams).</summary>
    public static CountEngine Build(IEnumerable<SeriesRecord> records) => new(records);

    public CountResult Count(Criterion criterion)
    {
        // The hot path of every federated Count: bitmaps from the pool, so thousands of calls a second
        // do not turn into thousands of garbage collections.
        var rows = ArrayPool<ulong>.Shared.Rent(_words);
        try
        {
            Evaluate(criterion, rows.AsSpan(0, _words));
            return Totals(rows.AsSpan(0, _words));
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(rows);
        }
    }

    /// <summary>Counts per value of <paramref name="field"/> among the records matching <paramref name="criterion"/>, largest first.</summary>
    public IReadOnlyList<(string Value, CountResult Count)> Facets(CatalogueField field, Criterion criterion)
    {
        var rows = Evaluate(criterion);
        var groups = new List<(string, CountResult)>();
        if (_text.TryGetValue(field, out var column))
        {
            for (var code = 0; code < column.Values.Count; code++)
            {
                var subset = And(rows, column.Posting(code));
                groups.Add((column.Values[code], Totals(subset)));
            }

            groups.Add(("(none)", Totals(AndNot(rows, column.Present))));
        }
        else
        {
            if (field == CatalogueField.StudyDate)
            {
                // Thousands of distinct days: group by study year instead.
                throw new ArgumentException("Facets by study date would have a value per day; use the study year.", nameof(field));
            }

            var numbers = _numbers[field];
            var byValue = new SortedDictionary<int, ulong[]>();
            ForEachRow(rows, row =>
            {
                var value = numbers.ValueAt(row);
                if (!byValue.TryGetValue(value, out var set))
                {
                    byValue[value] = set = new ulong[_words];
                }

                set[row >> 6] |= 1UL << row;
            });
            groups.AddRange(byValue.Select(g => (g.Key == Missing ? "(none)" : g.Key.ToString(CultureInfo.InvariantCulture), Totals(g.Value))));
        }

        return groups.Where(g => g.Item2.Series > 0).OrderByDescending(g => g.Item2.Series).ThenBy(g => g.Item1, StringComparer.Ordinal).ToList();
    }

    /// <summary>The studies with at least one series matching <paramref name="criterion"/>, as codes for <see cref="DescribeStudy"/>.</summary>
    public IReadOnlyList<int> StudiesMatching(Criterion criterion)
    {
        var seen = new ulong[(_studyCount + 63) >> 6];
        var codes = new List<int>();
        ForEachRow(Evaluate(criterion), row =>
        {
            var study = _study[row];
            var mask = 1UL << study;
            if ((seen[study >> 6] & mask) == 0)
            {
                seen[study >> 6] |= mask;
                codes.Add(study);
            }
        });
        return codes;
    }

    /// <summary>
    /// A study over all its series (not only those a query matched): modalities, the body part most
    /// of its series name, sex and age as its first series with them gives.
    /// </summary>
    public StudySummary DescribeStudy(int study)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(study);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(study, _studyCount);
        var rows = _studyRows.Value.Of(study);
        var modalities = new SortedSet<string>(StringComparer.Ordinal);
        var bodyParts = new Dictionary<string, int>(StringComparer.Ordinal);
        string? sex = null;
        int? age = null, year = null;
        long instances = 0;
        foreach (var row in rows)
        {
            instances += _instances.ValueAt(row);
            if (ValueAt(CatalogueField.Modality, row) is { } modality)
            {
                modalities.Add(modality);
            }

            if (ValueAt(CatalogueField.BodyPart, row) is { } part)
            {
                bodyParts[part] = bodyParts.GetValueOrDefault(part) + 1;
            }

            sex ??= ValueAt(CatalogueField.Sex, row);
            age ??= _numbers[CatalogueField.Age].ValueAt(row) is var a && a != Missing ? a : null;
            year ??= _numbers[CatalogueField.StudyYear].ValueAt(row) is var y && y != Missing ? y : null;
        }

        var bodyPart = bodyParts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key).FirstOrDefault();
        return new StudySummary(_studyUids[study], modalities.ToList(), bodyPart, sex, age, year, rows.Length, instances, _patient[rows[0]]);
    }

    /// <summary>A study's UID, for keyed pseudonyms; it never leaves the node as such.</summary>
    public string StudyInstanceUidOf(int study) => _studyUids[study];

    private string? ValueAt(CatalogueField field, int row)
    {
        var column = _text[field];
        var word = row >> 6;
        var mask = 1UL << row;
        if ((column.Present[word] & mask) == 0)
        {
            return null;
        }

        for (var code = 0; code < column.Values.Count; code++)
        {
            if ((column.Posting(code)[word] & mask) != 0)
            {
                return column.Values[code];
            }
        }

        return null;
    }

    private CountResult Totals(ReadOnlySpan<ulong> rows)
    {
        // Rows are sorted by patient, then study: a patient's rows are one run, and so are a study's,
        // except the few studies filed under two patient keys (an ID issuer on some series only),
        // counted through a set so that they still count once. Patients and the other studies are
        // counted 64 rows at a time as the runs the matching rows touch (FirstOfRun); instances are
        // summed in a pass of their own, 8 or 16 rows per vector (SummedColumn).
        var pooled = _splitStudies == 0 ? null : ArrayPool<ulong>.Shared.Rent((_splitStudies + 63) >> 6);
        var seenSplit = pooled is null ? [] : pooled.AsSpan(0, (_splitStudies + 63) >> 6);
        seenSplit.Clear();
        long series = 0, patients = 0, studies = 0;
        ulong patientCarry = 0, studyCarry = 0;
        for (var word = 0; word < rows.Length; word++)
        {
            var bits = rows[word];
            if (bits == 0)
            {
                // No match here: a run that had one goes on only if this whole word continues it.
                patientCarry &= _samePatientAsPrevious[word] == ulong.MaxValue ? 1UL : 0UL;
                studyCarry &= _sameStudyAsPrevious[word] == ulong.MaxValue ? 1UL : 0UL;
                continue;
            }

            series += BitOperations.PopCount(bits);
            patients += BitOperations.PopCount(FirstOfRun(bits, _samePatientAsPrevious[word], ref patientCarry));
            var firstOfStudy = FirstOfRun(bits, _sameStudyAsPrevious[word], ref studyCarry);
            if (pooled is not null)
            {
                var split = firstOfStudy & _splitStudyRows[word];
                firstOfStudy &= ~split;
                while (split != 0)
                {
                    var slot = _splitSlot[_study[(word << 6) + BitOperations.TrailingZeroCount(split)]];
                    split &= split - 1;
                    if ((seenSplit[slot >> 6] & (1UL << slot)) == 0)
                    {
                        seenSplit[slot >> 6] |= 1UL << slot;
                        studies++;
                    }
                }
            }

            studies += BitOperations.PopCount(firstOfStudy);
        }

        if (pooled is not null)
        {
            ArrayPool<ulong>.Shared.Return(pooled);
        }

        return new CountResult(patients, studies, series, _instances.Over(rows));
    }

    /// <summary>
    /// Of the matching rows <paramref name="matched"/> in one word, those that are the first match of
    /// their run (a run: rows whose bit in <paramref name="continues"/> says they belong with the row
    /// before). <paramref name="carry"/> says whether the previous word's last row was a match, or
    /// continued a run holding one, and is updated for the next word.
    /// </summary>
    /// <remarks>
    /// "Row r has a match earlier in its run" is a carry: X(r) = matched(r) | (continues(r) &amp; X(r-1)),
    /// the carry of adding (matched | continues) and matched, so one addition propagates it across
    /// all 64 rows. The carry into bit r is X(r-1), and a matching row is the first of its run unless
    /// it continues the run and that carry is set.
    /// </remarks>
    private static ulong FirstOfRun(ulong matched, ulong continues, ref ulong carry)
    {
        var a = matched | continues;
        var partial = a + matched;
        var sum = partial + carry;
        var carries = sum ^ a ^ matched;

        // The carries out of the two additions, from their top bits, with no comparison that could
        // become a branch (measured: no faster than the comparisons, which the JIT made branch-free).
        carry = (((a & matched) | ((a | matched) & ~partial)) | (partial & ~sum)) >> 63;
        return matched & ~(continues & carries);
    }

    /// <summary>One bit per row of a study filed under two patient keys (none when <paramref name="words"/> is 0).</summary>
    private static ulong[] SplitStudyRows(int[] studyOfRow, int[] splitSlot, int words)
    {
        if (words == 0)
        {
            return [];
        }

        var rows = new ulong[words];
        for (var row = 0; row < studyOfRow.Length; row++)
        {
            if (splitSlot[studyOfRow[row]] >= 0)
            {
                rows[row >> 6] |= 1UL << row;
            }
        }

        return rows;
    }

    /// <summary>One bit per row, set where the row's key equals the row before's: the rows that continue a run.</summary>
    private static ulong[] SameAsPrevious(int[] keys, int words)
    {
        var same = new ulong[words];
        for (var row = 1; row < keys.Length; row++)
        {
            if (keys[row] == keys[row - 1])
            {
                same[row >> 6] |= 1UL << row;
            }
        }

        return same;
    }

    /// <summary>A slot per study whose rows form more than one run (else -1), and how many there are.</summary>
    private static (int[] Slots, int Count) SplitStudies(int[] studyOfRow, int studyCount)
    {
        var runs = new int[studyCount];
        for (var row = 0; row < studyOfRow.Length; row++)
        {
            if (row == 0 || studyOfRow[row] != studyOfRow[row - 1])
            {
                runs[studyOfRow[row]]++;
            }
        }

        var count = 0;
        for (var study = 0; study < studyCount; study++)
        {
            runs[study] = runs[study] > 1 ? count++ : -1;
        }

        return (runs, count);
    }

    /// <summary>The rows matching <paramref name="criterion"/>, as a new bitmap (for the paths that keep it).</summary>
    private ulong[] Evaluate(Criterion criterion)
    {
        var rows = new ulong[_words];
        Evaluate(criterion, rows);
        return rows;
    }

    /// <summary>Writes the rows matching <paramref name="criterion"/> into <paramref name="into"/> (one bit per row); inner results use pooled scratch.</summary>
    private void Evaluate(Criterion criterion, Span<ulong> into)
    {
        switch (criterion)
        {
            case AllOf { Items.Count: 0 }:
                Full(into);
                break;
            case AllOf all:
                // The first item straight into the result: no all-ones bitmap to intersect it with.
                Evaluate(all.Items[0], into);
                for (var i = 1; i < all.Items.Count; i++)
                {
                    Combine(all.Items[i], into, intersect: true);
                }

                break;
            case AnyOf any:
                into.Clear();
                foreach (var item in any.Items)
                {
                    Combine(item, into, intersect: false);
                }

                break;
            case NoneOf not:
                Evaluate(not.Item, into);
                for (var i = 0; i < into.Length; i++)
                {
                    into[i] = ~into[i];
                }

                ClearBeyondLastRow(into);
                break;
            case InSet set when _text.TryGetValue(set.Field, out var column):
                into.Clear();
                foreach (var value in set.Values)
                {
                    if (column.CodeOf(value) is { } code)
                    {
                        var posting = column.Posting(code);
                        for (var i = 0; i < into.Length; i++)
                        {
                            into[i] |= posting[i];
                        }
                    }
                }

                break;
            case InSet set:
                // Numbers on a numeric field: each value is a one-point range.
                Evaluate(new AnyOf(set.Values.Select(v => (Criterion)new InRange(set.Field, ParseNumber(v), ParseNumber(v))).ToList()), into);
                break;
            case InRange range when _numbers.TryGetValue(range.Field, out var numbers):
                numbers.Scan(range.Min ?? long.MinValue, range.Max ?? long.MaxValue, into, intersect: false);
                break;
            case InRange range:
                throw new ArgumentException($"{range.Field} is not a numeric field; test it with a set of values.", nameof(criterion));
            default:
                throw new ArgumentException($"Unknown criterion {criterion?.GetType().Name}.", nameof(criterion));
        }
    }

    /// <summary>Evaluates <paramref name="item"/> into scratch and intersects it with (or adds it to) <paramref name="into"/>.</summary>
    private void Combine(Criterion item, Span<ulong> into, bool intersect)
    {
        if (intersect && item is InRange range && _numbers.TryGetValue(range.Field, out var numbers))
        {
            // Scanned straight into the intersection: no scratch bitmap, no second pass.
            numbers.Scan(range.Min ?? long.MinValue, range.Max ?? long.MaxValue, into, intersect: true);
            return;
        }

        var scratch = ArrayPool<ulong>.Shared.Rent(_words);
        try
        {
            var other = scratch.AsSpan(0, _words);
            Evaluate(item, other);
            if (intersect)
            {
                for (var i = 0; i < into.Length; i++)
                {
                    into[i] &= other[i];
                }
            }
            else
            {
                for (var i = 0; i < into.Length; i++)
                {
                    into[i] |= other[i];
                }
            }
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(scratch);
        }
    }

    private static long ParseNumber(string value) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : throw new ArgumentException($"'{value}' is not a number.", nameof(value));

    private static void ForEachRow(ulong[] rows, Action<int> action)
    {
        for (var word = 0; word < rows.Length; word++)
        {
            var bits = rows[word];
            while (bits != 0)
            {
                action((word << 6) + BitOperations.TrailingZeroCount(bits));
                bits &= bits - 1;
            }
        }
    }

    private void Full(Span<ulong> into)
    {
        into.Fill(ulong.MaxValue);
        ClearBeyondLastRow(into);
    }

    // The last word's bits past the last row stand for no row: they must never be set.
    private void ClearBeyondLastRow(Span<ulong> into)
    {
        if ((_rows & 63) != 0)
        {
            into[^1] &= (1UL << (_rows & 63)) - 1;
        }
    }

    private static ulong[] And(ulong[] a, ulong[] b)
    {
        var result = new ulong[a.Length];
        for (var i = 0; i < a.Length; i++)
        {
            result[i] = a[i] & b[i];
        }

        return result;
    }

    private static ulong[] AndNot(ulong[] a, ulong[] b)
    {
        var result = new ulong[a.Length];
        for (var i = 0; i < a.Length; i++)
        {
            result[i] = a[i] & ~b[i];
        }

        return result;
    }

    private static int[] Reorder(List<int> column, int[] order)
    {
        var source = CollectionsMarshal.AsSpan(column);
        var result = new int[order.Length];
        for (var i = 0; i < order.Length; i++)
        {
            result[i] = source[order[i]];
        }

        return result;
    }

    private static int Code(Dictionary<string, int> codes, string value)
    {
        if (!codes.TryGetValue(value, out var code))
        {
            codes[value] = code = codes.Count;
        }

        return code;
    }

    /// <summary>Collects a text column as codes into its distinct values (upper-cased: matching is case-insensitive).</summary>
    private sealed class TextColumnBuilder
    {
        private readonly List<int> _codes = [];
        private readonly Dictionary<string, int> _byValue = new(StringComparer.Ordinal);
        private readonly List<string> _values = [];

        public void Add(string? value)
        {
            var normalised = string.IsNullOrWhiteSpace(value) ? null : value.Trim().ToUpperInvariant();
            if (normalised is null)
            {
                _codes.Add(Missing);
                return;
            }

            if (!_byValue.TryGetValue(normalised, out var code))
            {
                _byValue[normalised] = code = _values.Count;
                _values.Add(normalised);
            }

            _codes.Add(code);
        }

        public TextColumn Build(int[] order, int words)
        {
            var codes = Reorder(_codes, order);
            var postings = new ulong[_values.Count][];
            for (var i = 0; i < postings.Length; i++)
            {
                postings[i] = new ulong[words];
            }

            var present = new ulong[words];
            for (var row = 0; row < codes.Length; row++)
            {
                if (codes[row] != Missing)
                {
                    postings[codes[row]][row >> 6] |= 1UL << row;
                    present[row >> 6] |= 1UL << row;
                }
            }

            return new TextColumn(_byValue, _values, postings, present);
        }
    }

    /// <summary>A text column as one bitmap of rows per distinct value.</summary>
    private sealed class TextColumn(Dictionary<string, int> byValue, List<string> values, ulong[][] postings, ulong[] present)
    {
        public List<string> Values => values;

        /// <summary>Rows that have a value at all.</summary>
        public ulong[] Present => present;

        public int? CodeOf(string value) => byValue.TryGetValue(value.Trim().ToUpperInvariant(), out var code) ? code : null;

        public ulong[] Posting(int code) => postings[code];
    }

    /// <summary>The rows of each study, as one array sliced by offsets (a study's rows are not always contiguous: one study may be filed under two patient keys).</summary>
    private sealed class StudyRows(int[] offsets, int[] rows)
    {
        public static StudyRows Of(int[] studyOfRow, int studies)
        {
            var offsets = new int[studies + 1];
            foreach (var study in studyOfRow)
            {
                offsets[study + 1]++;
            }

            for (var i = 0; i < studies; i++)
            {
                offsets[i + 1] += offsets[i];
            }

            var next = offsets[..^1];
            var rows = new int[studyOfRow.Length];
            for (var row = 0; row < studyOfRow.Length; row++)
            {
                rows[next[studyOfRow[row]]++] = row;
            }

            return new StudyRows(offsets, rows);
        }

        public ReadOnlySpan<int> Of(int study) => rows.AsSpan(offsets[study], offsets[study + 1] - offsets[study]);
    }
}
