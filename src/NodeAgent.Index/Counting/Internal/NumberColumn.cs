using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NodeAgent.Index.Counting.Internal;

/// <summary>
/// A numeric column (age, study date, study year) as codes into its sorted distinct values: an
/// order-preserving dictionary, so a range of values is a range of codes. Each code is as narrow as
/// the number of distinct values allows: a catalogue's ages take a byte per row and its study dates
/// (a few thousand distinct days) two bytes, so a range scan reads a quarter or half of what ints would
/// and compares 32 or 16 rows per vector instruction instead of 8.
/// </summary>
internal abstract class NumberColumn
{
    /// <summary>The value of a row that has none.</summary>
    public const int Missing = -1;

    // Sorted, distinct, without Missing; code 0 is "no value", code i + 1 is _values[i].
    private readonly int[] _values;

    private protected NumberColumn(int[] values, int rows)
    {
        _values = values;
        Rows = rows;
    }

    public int Rows { get; }

    /// <summary>A column of <paramref name="values"/> (one per row, <see cref="Missing"/> for none), in the narrowest codes that hold them.</summary>
    public static NumberColumn Of(int[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var distinct = values.Where(v => v != Missing).Distinct().Order().ToArray();
        var codes = new uint[values.Length];
        for (var row = 0; row < values.Length; row++)
        {
            codes[row] = values[row] == Missing ? 0 : (uint)Array.BinarySearch(distinct, values[row]) + 1;
        }

        // Code 0 is taken by "no value": a byte holds 255 distinct values, two bytes 65,535.
        return distinct.Length switch
        {
            <= byte.MaxValue => new NumberColumn<byte>(distinct, codes),
            <= ushort.MaxValue => new NumberColumn<ushort>(distinct, codes),
            _ => new NumberColumn<uint>(distinct, codes),
        };
    }

    /// <summary>Bytes per row: what the column costs and what a scan reads.</summary>
    public abstract int BytesPerRow { get; }

    /// <summary>The value of <paramref name="row"/>, or <see cref="Missing"/>.</summary>
    public int ValueAt(int row)
    {
        var code = CodeAt(row);
        return code == 0 ? Missing : _values[code - 1];
    }

    /// <summary>
    /// The rows whose value lies in [<paramref name="min"/>, <paramref name="max"/>], one bit per row:
    /// written to <paramref name="into"/>, or ANDed into it with <paramref name="intersect"/> (an
    /// AllOf's running result). Rows without a value never match; nor do negative values, as before
    /// codes: a range is of ages and dates, which start at 0.
    /// </summary>
    public void Scan(long min, long max, Span<ulong> into, bool intersect)
    {
        var low = LowerBound(Math.Max(min, 0));
        var high = LowerBound(max == long.MaxValue ? max : max + 1) - 1;
        if (low > high)
        {
            into.Clear();
            return;
        }

        ScanCodes((uint)low + 1, (uint)high + 1, into, intersect);
    }

    private protected abstract uint CodeAt(int row);

    private protected abstract void ScanCodes(uint low, uint high, Span<ulong> into, bool intersect);

    // The index of the first value at least `bound` (the count of values below it).
    private int LowerBound(long bound)
    {
        if (bound > int.MaxValue)
        {
            return _values.Length;
        }

        var at = Array.BinarySearch(_values, (int)Math.Max(bound, int.MinValue));
        return at >= 0 ? at : ~at;
    }
}

/// <summary>A <see cref="NumberColumn"/> whose codes are <typeparamref name="T"/>.</summary>
internal sealed class NumberColumn<T> : NumberColumn
    where T : unmanaged, IBinaryInteger<T>, IUnsignedNumber<T>
{
    private readonly T[] _codes;

    public NumberColumn(int[] values, uint[] codes)
        : base(values, codes.Length)
    {
        _codes = new T[codes.Length];
        for (var row = 0; row < codes.Length; row++)
        {
            _codes[row] = T.CreateChecked(codes[row]);
        }
    }

    public override int BytesPerRow => System.Runtime.CompilerServices.Unsafe.SizeOf<T>();

    private protected override uint CodeAt(int row) => uint.CreateTruncating(_codes[row]);

    private protected override void ScanCodes(uint low, uint high, Span<ulong> into, bool intersect)
    {
        // All ones where replacing, so that "into[word] = bits & (into[word] | keep)" serves both.
        var keep = intersect ? 0UL : ulong.MaxValue;

        // One unsigned comparison per row: (code - low) <= (high - low) exactly when low <= code <= high
        // (codes below low wrap round to large numbers).
        var lowCode = T.CreateTruncating(low);
        var span = T.CreateTruncating(high - low);
        var fullWords = Rows >> 6;
        var word = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var lows = Vector256.Create(lowCode);
            var spans = Vector256.Create(span);
            var perVector = Vector256<T>.Count;
            ref var first = ref MemoryMarshal.GetArrayDataReference(_codes);
            for (; word < fullWords; word++)
            {
                if (intersect && into[word] == 0)
                {
                    // Nothing left to intersect in these 64 rows: a selective query skips most of the column.
                    continue;
                }

                ulong bits = 0;
                for (var part = 0; part < 64; part += perVector)
                {
                    var codes = Vector256.LoadUnsafe(ref first, (nuint)((word << 6) + part));
                    bits |= (ulong)Vector256.LessThanOrEqual(codes - lows, spans).ExtractMostSignificantBits() << part;
                }

                into[word] = bits & (into[word] | keep);
            }
        }

        for (; word < into.Length; word++)
        {
            var start = word << 6;
            var end = Math.Min(start + 64, Rows);
            ulong bits = 0;
            for (var row = start; row < end; row++)
            {
                bits |= (ulong)(_codes[row] - lowCode <= span ? 1 : 0) << (row - start);
            }

            into[word] = bits & (into[word] | keep);
        }
    }
}
