namespace NodeAgent.Dicom.Dictionary;

/// <summary>A UID of the registry (PS3.6 Table A-1): its name, type ("SOP Class", "Transfer Syntax", ...) and keyword.</summary>
public sealed record DicomUidInfo(string Uid, string Name, string Type, bool IsRetired, string Keyword);
