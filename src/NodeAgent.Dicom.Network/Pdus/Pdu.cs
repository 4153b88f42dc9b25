namespace NodeAgent.Dicom.Network.Pdus;

/// <summary>A protocol data unit of the DICOM upper layer (PS3.8 9.3).</summary>
public abstract record Pdu
{
    public abstract PduType Type { get; }
}
