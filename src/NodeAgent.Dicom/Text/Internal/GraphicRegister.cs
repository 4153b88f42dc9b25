namespace NodeAgent.Dicom.Text.Internal;

/// <summary>
/// The ISO/IEC 2022 register a code element is designated into. DICOM uses only G0 (invoked in
/// GL, bytes 0x21-0x7E) and G1 (invoked in GR, bytes 0xA0-0xFF); G2 and G3 are not used (PS3.5 6.1.2.5.1).
/// </summary>
internal enum GraphicRegister : byte
{
    G0,
    G1,
}
