using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using NodeAgent.Dicom.Internal;
using NodeAgent.Dicom.Text;

namespace NodeAgent.Dicom;

/// <summary>
/// A primitive data element: its value is kept as the bytes of the encoding it was read from (in
/// memory, or by reference to the source file for large values) and converted only when asked.
/// Text needs the dataset's character set; use the typed accessors on <see cref="DicomDataset"/>.
/// </summary>
public sealed class DicomElement : DicomItem
{
    private readonly ReadOnlyMemory<byte> _memory;
    private readonly DicomBuffer? _external;

    public DicomElement(DicomTag tag, DicomVR vr, ReadOnlyMemory<byte> value, bool isBigEndian = false)
        : base(tag, vr)
    {
        _memory = value;
        IsBigEndian = isBigEndian;
    }

    public DicomElement(DicomTag tag, DicomVR vr, DicomBuffer value, bool isBigEndian = false)
        : base(tag, vr)
    {
        ArgumentNullException.ThrowIfNull(value);
        _external = value;
        IsBigEndian = isBigEndian;
    }

    /// <summary>The byte order of the stored value (only matters for VRs whose values are byte-swapped).</summary>
    public bool IsBigEndian { get; }

    public long Length => _external?.Length ?? _memory.Length;

    public bool IsEmpty => Length == 0;

    /// <summary>The value is kept outside memory (a file range or a spool file) and is streamed on write.</summary>
    public bool IsExternal => _external is not null;

    public DicomBuffer? ExternalBuffer => _external;

    /// <summary>The stored bytes. An external value is loaded (only possible under 2 GB): prefer <see cref="OpenRead"/>.</summary>
    public ReadOnlyMemory<byte> GetBytes() => _external is null ? _memory : _external.ToArray();

    /// <summary>The value as little-endian bytes, swapped if it was stored big-endian.</summary>
    public ReadOnlyMemory<byte> GetLittleEndianBytes()
    {
        var bytes = GetBytes();
        var unit = VR.ByteSwapUnit();
        if (!IsBigEndian || unit == 1)
        {
            return bytes;
        }

        var copy = bytes.ToArray();
        ByteSwapper.Swap(copy, unit);
        return copy;
    }

    public Stream OpenRead() => _external?.OpenRead() ?? new MemoryStream(_memory.ToArray(), writable: false);

    internal ReadOnlyMemory<byte> InlineMemory => _memory;

    /// <summary>The whole value decoded as text (values joined by '\'), without trailing padding.</summary>
    public string GetText(DicomCharacterSet characterSet)
    {
        ArgumentNullException.ThrowIfNull(characterSet);
        var span = GetBytes().Span;
        span = TrimTrailingPadding(span);
        return VR.UsesSpecificCharacterSet() ? characterSet.Decode(span, VR) : DefaultRepertoire.Decode(span);
    }

    /// <summary>The values of a text element, split at '\' (except for single-valued LT, ST, UT, UR) and trimmed as the VR allows.</summary>
    public string[] GetStrings(DicomCharacterSet characterSet)
    {
        if (IsEmpty)
        {
            return [];
        }

        var text = GetText(characterSet);
        if (VR.IsSingleValuedText())
        {
            return [text];
        }

        var parts = text.Split('\\');
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = TrimValue(parts[i], VR);
        }

        return parts;
    }

    /// <summary>Number of values: binary values by size, text values by '\' separators.</summary>
    public int ValueMultiplicity(DicomCharacterSet characterSet)
    {
        if (IsEmpty)
        {
            return 0;
        }

        var size = VR.ValueSize();
        if (size > 0)
        {
            return (int)(Length / size);
        }

        return VR.IsString() ? GetStrings(characterSet).Length : 1;
    }

    /// <summary>Numeric values of a binary numeric VR (US, SS, UL, SL, FL, FD, SV, UV), of OB/OW/OL/OF/OD/OV, or of IS/DS text.</summary>
    public T[] GetNumbers<T>()
        where T : INumber<T>
    {
        if (VR is DicomVR.IS or DicomVR.DS)
        {
            var strings = GetStrings(DicomCharacterSet.Default);
            var result = new T[strings.Length];
            for (var i = 0; i < strings.Length; i++)
            {
                result[i] = ParseDecimalString<T>(strings[i]);
            }

            return result;
        }

        // Binary numbers, and the byte and word streams (OB, OW, OL, OF, OD, OV) read as arrays of their unit.
        var size = VR.IsBulk() && VR != DicomVR.UN ? VR.ByteSwapUnit() : VR.ValueSize();
        if (size == 0 || VR == DicomVR.AT)
        {
            throw new DicomException($"{Tag} has VR {VR.Code()}, which does not hold numbers.");
        }

        var bytes = GetBytes().Span;
        var values = new T[bytes.Length / size];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ReadNumber<T>(bytes.Slice(i * size, size));
        }

        return values;
    }

    /// <summary>The tags held by an AT element.</summary>
    public DicomTag[] GetTags()
    {
        if (VR != DicomVR.AT)
        {
            throw new DicomException($"{Tag} has VR {VR.Code()}, not AT.");
        }

        var bytes = GetBytes().Span;
        var tags = new DicomTag[bytes.Length / 4];
        for (var i = 0; i < tags.Length; i++)
        {
            var g = IsBigEndian ? BinaryPrimitives.ReadUInt16BigEndian(bytes[(i * 4)..]) : BinaryPrimitives.ReadUInt16LittleEndian(bytes[(i * 4)..]);
            var e = IsBigEndian ? BinaryPrimitives.ReadUInt16BigEndian(bytes[((i * 4) + 2)..]) : BinaryPrimitives.ReadUInt16LittleEndian(bytes[((i * 4) + 2)..]);
            tags[i] = new DicomTag(g, e);
        }

        return tags;
    }

    internal static ReadOnlySpan<byte> TrimTrailingPadding(ReadOnlySpan<byte> span)
    {
        var end = span.Length;
        while (end > 0 && (span[end - 1] == 0x20 || span[end - 1] == 0x00))
        {
            end--;
        }

        return span[..end];
    }

    internal static string TrimValue(string value, DicomVR vr) => vr switch
    {
        // Leading spaces are significant in these (PS3.5 Table 6.2-1); trailing ones never are.
        DicomVR.LT or DicomVR.ST or DicomVR.UT or DicomVR.UC or DicomVR.PN or DicomVR.UR => value.TrimEnd(' ', '\0'),
        _ => value.Trim(' ', '\0'),
    };

    private T ReadNumber<T>(ReadOnlySpan<byte> b)
        where T : INumber<T>
    {
        var big = IsBigEndian;
        return VR switch
        {
            DicomVR.OB => T.CreateTruncating(b[0]),
            DicomVR.US or DicomVR.OW => T.CreateTruncating(big ? BinaryPrimitives.ReadUInt16BigEndian(b) : BinaryPrimitives.ReadUInt16LittleEndian(b)),
            DicomVR.SS => T.CreateTruncating(big ? BinaryPrimitives.ReadInt16BigEndian(b) : BinaryPrimitives.ReadInt16LittleEndian(b)),
            DicomVR.UL or DicomVR.OL => T.CreateTruncating(big ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b)),
            DicomVR.SL => T.CreateTruncating(big ? BinaryPrimitives.ReadInt32BigEndian(b) : BinaryPrimitives.ReadInt32LittleEndian(b)),
            DicomVR.FL or DicomVR.OF => T.CreateTruncating(big ? BinaryPrimitives.ReadSingleBigEndian(b) : BinaryPrimitives.ReadSingleLittleEndian(b)),
            DicomVR.FD or DicomVR.OD => T.CreateTruncating(big ? BinaryPrimitives.ReadDoubleBigEndian(b) : BinaryPrimitives.ReadDoubleLittleEndian(b)),
            DicomVR.SV => T.CreateTruncating(big ? BinaryPrimitives.ReadInt64BigEndian(b) : BinaryPrimitives.ReadInt64LittleEndian(b)),
            DicomVR.UV or DicomVR.OV => T.CreateTruncating(big ? BinaryPrimitives.ReadUInt64BigEndian(b) : BinaryPrimitives.ReadUInt64LittleEndian(b)),
            _ => throw new DicomException($"{Tag} has VR {VR.Code()}, which does not hold numbers."),
        };
    }

    private T ParseDecimalString<T>(string s)
        where T : INumber<T>
    {
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return T.CreateTruncating(d);
        }

        throw new DicomException($"{Tag} ({VR.Code()}) holds a value that is not a number.");
    }
}
