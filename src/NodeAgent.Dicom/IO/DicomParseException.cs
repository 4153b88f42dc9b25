namespace NodeAgent.Dicom.IO;

/// <summary>
/// Malformed DICOM input. Carries the byte offset where the problem was found (in the file, or in
/// the inflated dataset for deflated transfer syntaxes) and the tag being read, never a value.
/// </summary>
public sealed class DicomParseException : DicomException
{
    public DicomParseException(DicomParseError error, long offset, string message, DicomTag? tag = null, Exception? innerException = null)
        : base(Format(error, offset, message, tag), innerException!)
    {
        Error = error;
        Offset = offset;
        Tag = tag;
    }

    public DicomParseError Error { get; }

    /// <summary>Byte offset of the element or item header where the problem was found.</summary>
    public long Offset { get; }

    public DicomTag? Tag { get; }

    private static string Format(DicomParseError error, long offset, string message, DicomTag? tag) =>
        tag is null ? $"{error} at byte offset {offset}: {message}" : $"{error} at byte offset {offset}, tag {tag}: {message}";
}
