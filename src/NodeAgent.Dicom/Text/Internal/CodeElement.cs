namespace NodeAgent.Dicom.Text.Internal;

/// <summary>
/// One graphic character set of ISO/IEC 2022 (a "code element", PS3.3 Tables C.12-2 to C.12-4):
/// the escape sequence that designates it, the register it lands in, and how its bytes map to text.
/// </summary>
internal abstract class CodeElement
{
    protected CodeElement(string registration, GraphicRegister register, byte[] escapeSequence)
    {
        Registration = registration;
        Register = register;
        EscapeSequence = escapeSequence;
    }

    /// <summary>The ISO registration, e.g. "ISO-IR 87", used in messages.</summary>
    public string Registration { get; }

    public GraphicRegister Register { get; }

    /// <summary>The designation written when switching to this element (ESC included).</summary>
    public byte[] EscapeSequence { get; }

    /// <summary>True for 94x94 sets, whose characters take two bytes.</summary>
    public abstract bool IsMultiByte { get; }

    /// <summary>
    /// Decodes a run of bytes that all lie in this element's area: GL bytes 0x21-0x7E for G0 elements
    /// (any byte below 0x80 for single-byte G0), bytes 0x80-0xFF for G1 elements.
    /// </summary>
    public abstract void Decode(ReadOnlySpan<byte> run, ref PooledBuilder<char> output);

    /// <summary>
    /// Encodes one non-ASCII Unicode scalar (one char or a surrogate pair) as the bytes that represent
    /// it once this element is designated; false when the set does not contain it.
    /// </summary>
    public abstract bool TryEncode(ReadOnlySpan<char> scalar, Span<byte> destination, out int written);

    public override string ToString() => Registration;
}
