namespace NodeAgent.Dicom.IO;

/// <summary>What was wrong with malformed input.</summary>
public enum DicomParseError
{
    /// <summary>Neither a Part 10 file (preamble + "DICM") nor a recognisable bare dataset.</summary>
    NotDicom,

    /// <summary>The input ended inside an element, item or sequence.</summary>
    Truncated,

    /// <summary>A length runs past the end of the input or of the item or sequence holding it.</summary>
    LengthOutOfRange,

    /// <summary>Sequences nested deeper than <see cref="DicomReadOptions.MaxDepth"/>.</summary>
    NestingTooDeep,

    /// <summary>An explicit VR that is not two upper-case letters.</summary>
    InvalidVR,

    /// <summary>An item or delimitation tag where a data element was expected, or the reverse.</summary>
    UnexpectedDelimiter,

    /// <summary>An undefined length on an element that cannot have one.</summary>
    UndefinedLengthNotAllowed,

    /// <summary>The file meta information is unusable (e.g. the transfer syntax UID is missing and cannot be inferred).</summary>
    InvalidFileMetaInformation,

    /// <summary>More elements, inflated bytes or in-memory value bytes than the read options allow.</summary>
    TooLarge,

    /// <summary>A deflated dataset that does not inflate.</summary>
    InvalidDeflateStream,
}
