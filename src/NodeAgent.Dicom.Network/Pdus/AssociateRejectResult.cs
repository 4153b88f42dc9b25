namespace NodeAgent.Dicom.Network.Pdus;

public enum AssociateRejectResult : byte
{
    Permanent = 1,
    Transient = 2,
}
