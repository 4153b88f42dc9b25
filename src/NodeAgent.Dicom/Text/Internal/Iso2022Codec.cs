namespace NodeAgent.Dicom.Text.Internal;

/// <summary>
/// A Specific Character Set with code extensions (multi-valued, or an "ISO 2022" term): value 1 gives
/// the sets active at the start of the value and after each reset delimiter, the other values the
/// sets that escape sequences may switch to (PS3.5 6.1.2.5).
/// </summary>
internal sealed class Iso2022Codec : TextCodec
{
    private readonly CodeElement _initialG0;
    private readonly CodeElement? _initialG1;
    private readonly Iso2022Encoder _encoder;

    public Iso2022Codec(IReadOnlyList<CharacterSetTerm> terms)
    {
        var first = terms[0];

        // A 94x94 set is not allowed as value 1 (PS3.3 Table C.12-4), but files have it: G0 then still
        // starts as ASCII, because JIS byte pairs cannot be told from ASCII without an escape.
        _initialG0 = first.G0 is { IsMultiByte: false } g0 ? g0 : CodeElements.Ascii;

        // A G1 set is unambiguous (high bytes), so a reader starts with it even when it is a 94x94 set
        // (e.g. a lone "ISO 2022 IR 149" on bytes without escapes). A writer still designates such a
        // set explicitly, as standard readers expect.
        _initialG1 = first.G1;
        var writerG1 = first.G1 is { IsMultiByte: false } ? first.G1 : null;

        var candidates = new List<CodeElement>();
        foreach (var term in terms)
        {
            if (term.G1 is not null)
            {
                candidates.Add(term.G1);
            }

            if (term.G0 is { IsMultiByte: true })
            {
                candidates.Add(term.G0);
            }
        }

        _encoder = new Iso2022Encoder(_initialG0, writerG1, [.. candidates.Distinct()], designates: true);
    }

    public override bool RejectsEscape => true;

    public override bool InterpretsEscapes => true;

    public override string Decode(ReadOnlySpan<byte> value, DicomVR vr) =>
        Iso2022Decoder.Decode(value, _initialG0, _initialG1, ResetDelimiters.For(vr), interpretEscapes: true);

    public override bool TryEncode(string value, DicomVR vr, ref PooledBuilder<byte> output, out int failedIndex) =>
        _encoder.TryEncode(value, ResetDelimiters.For(vr), ref output, out failedIndex);
}
