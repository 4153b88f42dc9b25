namespace NodeAgent.Dicom.Network.Pdus;

/// <summary>SCP/SCU role selection for a SOP class (PS3.7 D.3.3.4): C-GET needs the SCU to act as storage SCP.</summary>
public sealed record RoleSelection(string SopClassUid, bool ScuRole, bool ScpRole);
