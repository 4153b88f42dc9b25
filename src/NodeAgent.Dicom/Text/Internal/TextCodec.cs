namespace NodeAgent.Dicom.Text.Internal;

/// <summary>
/// How the values of one Specific Character Set are turned into text and back. The pure-ASCII fast
/// paths live in the caller; codecs see only values that need real work.
/// </summary>
internal abstract class TextCodec
{
    /// <summary>True when a literal ESC cannot be written (it would be read as a designation).</summary>
    public virtual bool RejectsEscape => false;

    /// <summary>True when an ESC byte in a value is a designation rather than text.</summary>
    public virtual bool InterpretsEscapes => false;

    /// <summary>Decodes a whole value; never throws.</summary>
    public abstract string Decode(ReadOnlySpan<byte> value, DicomVR vr);

    /// <summary>
    /// Encodes a whole value into <paramref name="output"/>; false, with the UTF-16 index of the first
    /// character that has no representation, when the value cannot be encoded.
    /// </summary>
    public abstract bool TryEncode(string value, DicomVR vr, ref PooledBuilder<byte> output, out int failedIndex);
}
