namespace NodeAgent.Dicom.Text.Internal;

/// <summary>
/// A single-valued, single-byte Specific Character Set without code extensions (ISO_IR 100, ISO_IR 13,
/// ...): ASCII (or JIS X 0201 Romaji) below 0x80 and one fixed G1 set above; no escape sequences.
/// </summary>
internal sealed class SingleByteCodec : TextCodec
{
    private readonly CharacterSetTerm _term;
    private readonly Iso2022Encoder _encoder;

    public SingleByteCodec(CharacterSetTerm term)
    {
        _term = term;
        var g0 = term.G0 ?? CodeElements.Ascii;
        _encoder = new Iso2022Encoder(g0, term.G1, term.G1 is null ? [] : [term.G1], designates: false);
    }

    public override string Decode(ReadOnlySpan<byte> value, DicomVR vr) =>
        _term.G1 is SingleByteCodeElement codePage
            ? codePage.DecodeWholeValue(value)
            : Iso2022Decoder.Decode(value, _term.G0 ?? CodeElements.Ascii, _term.G1, ResetDelimiters.For(vr), interpretEscapes: false);

    public override bool TryEncode(string value, DicomVR vr, ref PooledBuilder<byte> output, out int failedIndex) =>
        _encoder.TryEncode(value, ResetDelimiters.For(vr), ref output, out failedIndex);
}
