namespace NodeAgent.Dicom.Network;

/// <summary>
/// Base of every DICOM networking error. Messages are written for the hospital IT person reading
/// them: what failed, with which peer, and what to check. They never carry element values.
/// </summary>
public class DicomNetworkException : DicomException
{
    public DicomNetworkException(string message)
        : base(message)
    {
    }

    public DicomNetworkException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
