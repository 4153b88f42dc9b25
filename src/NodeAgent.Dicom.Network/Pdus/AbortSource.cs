namespace NodeAgent.Dicom.Network.Pdus;

public enum AbortSource : byte
{
    ServiceUser = 0,
    ServiceProvider = 2,
}
