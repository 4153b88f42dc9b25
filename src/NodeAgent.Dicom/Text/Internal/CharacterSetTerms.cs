using System.Collections.Frozen;

namespace NodeAgent.Dicom.Text.Internal;

/// <summary>
/// The Defined Terms of PS3.3 Tables C.12-2 to C.12-5, looked up leniently: case, spaces, '_' and '-'
/// are ignored, because "ISO_IR100", "ISO IR 100" and "iso_ir 100" all occur in real files and
/// mean only one thing.
/// </summary>
internal static class CharacterSetTerms
{
    public static readonly CharacterSetTerm IsoIr6 = CharacterSetTerm.SingleByte("ISO_IR 6", false, CodeElements.Ascii, null);

    public static readonly CharacterSetTerm Iso2022Ir6 = CharacterSetTerm.SingleByte("ISO 2022 IR 6", true, CodeElements.Ascii, null);

    private static readonly FrozenDictionary<string, CharacterSetTerm> ByKey = Build();

    /// <summary>Finds a term; <paramref name="value"/> must already be trimmed.</summary>
    public static CharacterSetTerm? Find(string value)
    {
        if (ByKey.TryGetValue(value, out var exact))
        {
            return exact;
        }

        return ByKey.GetValueOrDefault(Squeeze(value));
    }

    private static FrozenDictionary<string, CharacterSetTerm> Build()
    {
        var terms = new List<CharacterSetTerm>
        {
            IsoIr6,
            Iso2022Ir6,
            CharacterSetTerm.Standalone("ISO_IR 192", CodePages.Utf8),
            CharacterSetTerm.Standalone("GB18030", CodePages.Gb18030),
            CharacterSetTerm.Standalone("GBK", CodePages.Gbk),
            CharacterSetTerm.MultiByte("ISO 2022 IR 87", CodeElements.JisX0208),
            CharacterSetTerm.MultiByte("ISO 2022 IR 159", CodeElements.JisX0212),
            CharacterSetTerm.MultiByte("ISO 2022 IR 149", CodeElements.KsX1001),
            CharacterSetTerm.MultiByte("ISO 2022 IR 58", CodeElements.Gb2312),
        };

        // ISO-IR 13 brings JIS X 0201 Romaji as G0 with it; all others keep ASCII (PS3.3 Table C.12-2).
        terms.Add(CharacterSetTerm.SingleByte("ISO_IR 13", false, CodeElements.Romaji, CodeElements.Katakana));
        terms.Add(CharacterSetTerm.SingleByte("ISO 2022 IR 13", true, CodeElements.Romaji, CodeElements.Katakana));

        (string Number, CodeElement G1)[] iso8859 =
        [
            ("100", CodeElements.Latin1), ("101", CodeElements.Latin2), ("109", CodeElements.Latin3),
            ("110", CodeElements.Latin4), ("144", CodeElements.Cyrillic), ("127", CodeElements.Arabic),
            ("126", CodeElements.Greek), ("138", CodeElements.Hebrew), ("148", CodeElements.Latin5),
            ("203", CodeElements.Latin9), ("166", CodeElements.Thai),
        ];
        foreach (var (number, g1) in iso8859)
        {
            terms.Add(CharacterSetTerm.SingleByte("ISO_IR " + number, false, CodeElements.Ascii, g1));
            terms.Add(CharacterSetTerm.SingleByte("ISO 2022 IR " + number, true, CodeElements.Ascii, g1));
        }

        var byKey = new Dictionary<string, CharacterSetTerm>(StringComparer.Ordinal);
        foreach (var term in terms)
        {
            byKey.Add(term.Name, term);
            byKey.TryAdd(Squeeze(term.Name), term);
        }

        return byKey.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string Squeeze(string value) =>
        string.Concat(value.Where(c => c is not (' ' or '_' or '-'))).ToUpperInvariant();
}
