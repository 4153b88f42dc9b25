namespace NodeAgent.Dicom.IO.Internal;

/// <summary>How data elements are encoded on the wire: explicit or implicit VR, little or big endian.</summary>
internal readonly record struct WireEncoding(bool ExplicitVR, bool BigEndian)
{
    public static WireEncoding ImplicitLittle => new(false, false);

    public static WireEncoding ExplicitLittle => new(true, false);

    public static WireEncoding ExplicitBig => new(true, true);

    public static WireEncoding Of(DicomTransferSyntax syntax) => new(syntax.IsExplicitVR, syntax.IsBigEndian);
}
