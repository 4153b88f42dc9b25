namespace NodeAgent.Dicom;

/// <summary>
/// Base of every error raised by the DICOM codec. Messages name tags, offsets and VRs, never
/// element values: values may be patient data, and messages end up in logs.
/// </summary>
public class DicomException : Exception
{
    public DicomException()
    {
    }

    public DicomException(string message)
        : base(message)
    {
    }

    public DicomException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
