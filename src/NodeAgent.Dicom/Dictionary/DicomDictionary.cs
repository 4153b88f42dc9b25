using System.Collections.Frozen;
using NodeAgent.Dicom.Dictionary.Internal;

namespace NodeAgent.Dicom.Dictionary;

/// <summary>
/// The data dictionary of PS3.6 and PS3.7 (group 0000 command elements, retired entries and
/// repeating groups 50xx/60xx/7Fxx included), and a dictionary of vendors' private elements looked
/// up by private creator. Built at first use from tables generated at build time.
/// </summary>
public static class DicomDictionary
{
    /// <summary>The entry for a standard tag, or null. Repeating groups (60xx) and group lengths are matched too.</summary>
    public static DicomDictionaryEntry? Find(DicomTag tag) => DictionaryTables.Instance.Find(tag);

    /// <summary>The entry for a private element reserved by <paramref name="privateCreator"/>, or null.</summary>
    public static DicomDictionaryEntry? FindPrivate(DicomTag tag, string privateCreator) =>
        DictionaryTables.Instance.FindPrivate(tag, privateCreator);

    /// <summary>The entry with this keyword (e.g. "PatientName"), or null.</summary>
    public static DicomDictionaryEntry? FindByKeyword(string keyword) =>
        DictionaryTables.Instance.ByKeyword.GetValueOrDefault(keyword);

    /// <summary>All standard entries, single tags first, then ranges.</summary>
    public static IReadOnlyCollection<DicomDictionaryEntry> StandardEntries => DictionaryTables.Instance.AllStandard;

    /// <summary>
    /// The VR implied for a tag in an implicit VR encoding: the dictionary's first VR, LO for private
    /// creators, UL for group lengths, or <see cref="DicomVR.UN"/> when nothing is known.
    /// </summary>
    public static DicomVR ImplicitVR(DicomTag tag, string? privateCreator = null)
    {
        if (tag.IsPrivate)
        {
            if (tag.IsPrivateCreator)
            {
                return DicomVR.LO;
            }

            if (tag.IsGroupLength)
            {
                return DicomVR.UL;
            }

            return privateCreator is null ? DicomVR.UN : FindPrivate(tag, privateCreator)?.ValueRepresentation ?? DicomVR.UN;
        }

        var entry = Find(tag);
        return entry is null || entry.ValueRepresentation == DicomVR.None ? DicomVR.UN : entry.ValueRepresentation;
    }

    internal static FrozenDictionary<string, DicomDictionaryEntry> KeywordIndex => DictionaryTables.Instance.ByKeyword;
}
