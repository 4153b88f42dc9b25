namespace NodeAgent.Dicom.Text.Internal;

/// <summary>
/// One Defined Term of Specific Character Set (0008,0005) (PS3.3 C.12.1.1.2) and the code elements it
/// brings: a G0 set for bytes below 0x80 and, for most, a G1 set for bytes from 0x80.
/// </summary>
internal sealed class CharacterSetTerm
{
    private CharacterSetTerm(string name, bool codeExtensions, CodeElement? g0, CodeElement? g1, int standaloneCodePage)
    {
        Name = name;
        IsCodeExtension = codeExtensions;
        G0 = g0;
        G1 = g1;
        StandaloneCodePage = standaloneCodePage;
    }

    /// <summary>The Defined Term as the standard spells it.</summary>
    public string Name { get; }

    /// <summary>An "ISO 2022 ..." term: escape sequences may switch sets within a value.</summary>
    public bool IsCodeExtension { get; }

    /// <summary>The G0 set; null only for stand-alone encodings.</summary>
    public CodeElement? G0 { get; }

    public CodeElement? G1 { get; }

    /// <summary>
    /// Code page of a multi-byte encoding that cannot be used with code extensions (ISO_IR 192,
    /// GB18030, GBK; PS3.3 Table C.12-5), or 0.
    /// </summary>
    public int StandaloneCodePage { get; }

    public bool IsStandalone => StandaloneCodePage != 0;

    /// <summary>True for ISO-IR 6 alone: the default repertoire, nothing beyond ASCII.</summary>
    public bool IsDefaultRepertoire => G0 == CodeElements.Ascii && G1 is null && !IsStandalone;

    public static CharacterSetTerm SingleByte(string name, bool codeExtensions, CodeElement g0, CodeElement? g1) =>
        new(name, codeExtensions, g0, g1, 0);

    public static CharacterSetTerm MultiByte(string name, CodeElement element) =>
        element.Register == GraphicRegister.G0
            ? new(name, true, element, null, 0)
            : new(name, true, null, element, 0);

    public static CharacterSetTerm Standalone(string name, int codePage) => new(name, false, null, null, codePage);

    public override string ToString() => Name;
}
