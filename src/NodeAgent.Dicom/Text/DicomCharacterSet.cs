using System.Globalization;
using System.Text;
using NodeAgent.Dicom.Text.Internal;

namespace NodeAgent.Dicom.Text;

/// <summary>
/// The character sets declared by Specific Character Set (0008,0005) (PS3.3 C.12.1.1.2), and the
/// decoding and encoding of text values under them (PS3.5 6.1, Annexes H to K): single-byte ISO 8859
/// sets, UTF-8, GB18030 and GBK, and ISO/IEC 2022 code extensions for Japanese, Korean and Chinese.
/// Only SH, LO, ST, LT, UC, UT and PN use the declared sets; other text VRs are always the default
/// repertoire. Instances are immutable, thread-safe and shared per distinct (0008,0005) value.
/// </summary>
public sealed class DicomCharacterSet : IEquatable<DicomCharacterSet>
{
    private const string DefaultRepertoireName = "the default repertoire (ISO-IR 6)";

    private readonly TextCodec _codec;

    private DicomCharacterSet(string[] terms, string[] unknownTerms, bool isDefault, TextCodec codec)
    {
        Terms = terms;
        UnknownTerms = unknownTerms;
        IsDefault = isDefault;
        _codec = codec;
    }

    /// <summary>No Specific Character Set: the default repertoire, ISO-IR 6.</summary>
    public static DicomCharacterSet Default { get; } = new([], [], true, DefaultRepertoireCodec.Instance);

    /// <summary>ISO_IR 192, Unicode in UTF-8.</summary>
    public static DicomCharacterSet Utf8 { get; } = FromSpecificCharacterSet("ISO_IR 192");

    /// <summary>
    /// The values of Specific Character Set as found: recognised terms take the standard's spelling,
    /// padding is removed, an empty first value (the default repertoire) stays empty.
    /// </summary>
    public IReadOnlyList<string> Terms { get; }

    /// <summary>True when nothing beyond the default repertoire is declared (or recognised).</summary>
    public bool IsDefault { get; }

    /// <summary>True when values may switch character sets with ISO/IEC 2022 escape sequences.</summary>
    public bool UsesCodeExtensions => _codec.InterpretsEscapes;

    /// <summary>
    /// Terms that are not Defined Terms. They are ignored: values decode with the first recognised term,
    /// or as the default repertoire when there is none.
    /// </summary>
    public IReadOnlyList<string> UnknownTerms { get; }

    /// <summary>Parses the values of Specific Character Set (0008,0005).</summary>
    public static DicomCharacterSet FromTerms(IReadOnlyList<string> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        return FromSpecificCharacterSet(string.Join('\\', terms));
    }

    /// <summary>Parses the value of Specific Character Set (0008,0005) as stored, values separated by '\'.</summary>
    public static DicomCharacterSet FromSpecificCharacterSet(string valueWithBackslashes)
    {
        ArgumentNullException.ThrowIfNull(valueWithBackslashes);
        if (valueWithBackslashes.AsSpan().Trim(" \0").IsEmpty)
        {
            return Default;
        }

        return CharacterSetCache.GetOrAdd(valueWithBackslashes, static value => Parse(value.Split('\\')));
    }

    /// <summary>
    /// Decodes a whole element value of a text VR (all its '\'-separated values at once, since escape
    /// sequences and their resets span them). Never throws: bytes that do not decode become U+FFFD,
    /// or ISO 8859-1 characters where no character set applies. Padding is not removed.
    /// </summary>
    public string Decode(ReadOnlySpan<byte> value, DicomVR vr)
    {
        var codec = CodecFor(vr);

        // Almost every value is plain ASCII, which every character set reads the same way; that
        // allocates nothing but the string.
        if (Ascii.IsValid(value) && !(codec.InterpretsEscapes && value.Contains(CodeElements.Esc)))
        {
            return Encoding.Latin1.GetString(value);
        }

        return codec.Decode(value, vr);
    }

    /// <summary>
    /// Encodes a whole value of a text VR ('\' between values when multi-valued), with the escape
    /// sequences code extensions need. Padding is not added.
    /// </summary>
    /// <exception cref="DicomCharacterSetException">A character cannot be represented in the declared character sets.</exception>
    public byte[] Encode(string value, DicomVR vr)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (TryEncodeCore(value, vr, materialize: true, out var encoded, out var failedIndex))
        {
            return encoded;
        }

        var category = CharUnicodeInfo.GetUnicodeCategory(value, failedIndex);
        var characterSet = DescribeFor(vr);
        var message = string.Create(
            CultureInfo.InvariantCulture,
            $"Cannot encode the {vr.Code()} value in {characterSet}: the character at index {failedIndex} (Unicode category {category}) has no representation there.");
        throw new DicomCharacterSetException(message, characterSet, failedIndex, category);
    }

    /// <summary>Like <see cref="Encode"/>, returning false (and an empty array) instead of throwing.</summary>
    public bool TryEncode(string value, DicomVR vr, out byte[] encoded)
    {
        ArgumentNullException.ThrowIfNull(value);
        return TryEncodeCore(value, vr, materialize: true, out encoded, out _);
    }

    /// <summary>True when every character of the value can be represented; allocates nothing.</summary>
    public bool CanEncode(string value, DicomVR vr)
    {
        ArgumentNullException.ThrowIfNull(value);
        return TryEncodeCore(value, vr, materialize: false, out _, out _);
    }

    public bool Equals(DicomCharacterSet? other) =>
        other is not null && (ReferenceEquals(this, other) || Terms.SequenceEqual(other.Terms, StringComparer.Ordinal));

    public override bool Equals(object? obj) => Equals(obj as DicomCharacterSet);

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (var term in Terms)
        {
            hash.Add(term, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    /// <summary>The value of Specific Character Set (0008,0005), terms separated by '\'.</summary>
    public override string ToString() => string.Join('\\', Terms);

    private static DicomCharacterSet Parse(string[] values)
    {
        var terms = new string[values.Length];
        var unknown = new List<string>();
        var known = new List<CharacterSetTerm>();
        for (var i = 0; i < values.Length; i++)
        {
            var value = values[i].Trim(' ', '\0');
            var term = value.Length == 0 ? null : CharacterSetTerms.Find(value);
            terms[i] = term?.Name ?? value;
            if (term is not null)
            {
                known.Add(term);
            }
            else if (value.Length > 0)
            {
                unknown.Add(value);
            }
            else if (i == 0)
            {
                // An empty value 1 with code extensions: the default repertoire is the initial set.
                known.Add(CharacterSetTerms.Iso2022Ir6);
            }
        }

        var codec = CreateCodec(known);
        return new DicomCharacterSet(terms, [.. unknown], known.TrueForAll(t => t.IsDefaultRepertoire), codec);
    }

    private static TextCodec CreateCodec(List<CharacterSetTerm> known)
    {
        if (known.Count == 0)
        {
            return DefaultRepertoireCodec.Instance;
        }

        // Stand-alone encodings exclude code extensions (PS3.5 6.1.2.5.4): as value 1 the rest is
        // ignored, anywhere else they are (as pydicom does).
        if (known[0].IsStandalone)
        {
            return new StandaloneCodec(known[0].StandaloneCodePage);
        }

        known.RemoveAll(t => t.IsStandalone);
        if (known.Count == 1 && !known[0].IsCodeExtension)
        {
            return known[0].IsDefaultRepertoire ? DefaultRepertoireCodec.Instance : new SingleByteCodec(known[0]);
        }

        return new Iso2022Codec(known);
    }

    private TextCodec CodecFor(DicomVR vr) => vr.UsesSpecificCharacterSet() ? _codec : DefaultRepertoireCodec.Instance;

    // Names the declared terms only: they are metadata, unlike the value being encoded.
    private string DescribeFor(DicomVR vr)
    {
        if (!vr.UsesSpecificCharacterSet() || Terms.Count == 0)
        {
            return DefaultRepertoireName;
        }

        var declared = "Specific Character Set '" + ToString() + "'";
        return IsDefault ? declared + ", i.e. " + DefaultRepertoireName : declared;
    }

    private bool TryEncodeCore(string value, DicomVR vr, bool materialize, out byte[] encoded, out int failedIndex)
    {
        var codec = CodecFor(vr);
        if (Ascii.IsValid(value) && !(codec.RejectsEscape && value.Contains('\u001B', StringComparison.Ordinal)))
        {
            encoded = materialize ? Encoding.ASCII.GetBytes(value) : [];
            failedIndex = -1;
            return true;
        }

        var output = new PooledBuilder<byte>(value.Length * 2);
        try
        {
            var ok = codec.TryEncode(value, vr, ref output, out failedIndex);
            encoded = ok && materialize ? output.ToArray() : [];
            return ok;
        }
        finally
        {
            output.Dispose();
        }
    }
}
