using System.Collections;
using System.Numerics;
using NodeAgent.Dicom.Dictionary;
using NodeAgent.Dicom.Internal;
using NodeAgent.Dicom.Text;
using NodeAgent.Dicom.Values;

namespace NodeAgent.Dicom;

/// <summary>
/// A DICOM dataset: items kept in ascending tag order (as they are encoded), with typed accessors
/// that decode text in the dataset's Specific Character Set (inherited by sequence items).
/// </summary>
public sealed class DicomDataset : IEnumerable<DicomItem>
{
    private readonly List<DicomItem> _items;
    private DicomCharacterSet? _characterSet;
    private bool _unsorted;

    public DicomDataset()
    {
        _items = [];
    }

    public DicomDataset(params IEnumerable<DicomItem> items)
        : this()
    {
        foreach (var item in items)
        {
            AddOrUpdate(item);
        }
    }

    internal DicomDataset(int capacity) => _items = new List<DicomItem>(capacity);

    public int Count => _items.Count;

    /// <summary>The dataset holding the sequence this dataset is an item of, if any.</summary>
    public DicomDataset? Parent { get; internal set; }

    /// <summary>
    /// The character set of this dataset's text: its own (0008,0005), else the one inherited from the
    /// dataset that holds it (PS3.5 7.5.3), else the default repertoire.
    /// </summary>
    public DicomCharacterSet CharacterSet
    {
        get
        {
            if (_characterSet is not null)
            {
                return _characterSet;
            }

            if (TryGetElement(DicomTags.SpecificCharacterSet, out var element))
            {
                return _characterSet = DicomCharacterSet.FromSpecificCharacterSet(element.GetText(DicomCharacterSet.Default));
            }

            return Parent?.CharacterSet ?? DicomCharacterSet.Default;
        }
    }

    /// <summary>
    /// True when reading ended early, so later elements are missing: the stop predicate said so, or a
    /// truncated file was accepted with <see cref="IO.DicomReadOptions.AllowTruncatedContainers"/>.
    /// </summary>
    public bool IsPartial { get; internal set; }

    public DicomItem? this[DicomTag tag] => TryGet(tag, out var item) ? item : null;

    public bool Contains(DicomTag tag) => IndexOf(tag) >= 0;

    public bool TryGet(DicomTag tag, out DicomItem item)
    {
        var index = IndexOf(tag);
        item = index >= 0 ? _items[index] : null!;
        return index >= 0;
    }

    public bool TryGetElement(DicomTag tag, out DicomElement element)
    {
        var index = IndexOf(tag);
        element = (index >= 0 ? _items[index] as DicomElement : null)!;
        return element is not null;
    }

    public DicomElement? GetElement(DicomTag tag) => TryGetElement(tag, out var element) ? element : null;

    public DicomSequence? GetSequence(DicomTag tag) => this[tag] as DicomSequence;

    /// <summary>Adds the item, replacing one with the same tag.</summary>
    public DicomDataset AddOrUpdate(DicomItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item is DicomSequence sequence)
        {
            sequence.AttachTo(this);
        }

        if (item.Tag == DicomTags.SpecificCharacterSet)
        {
            _characterSet = null;
        }

        // Parsing appends in ascending order, so the common case is a cheap append.
        if (_items.Count == 0 || _items[^1].Tag < item.Tag)
        {
            _items.Add(item);
            return this;
        }

        var index = IndexOf(item.Tag);
        if (index >= 0)
        {
            _items[index] = item;
        }
        else
        {
            _items.Insert(~index, item);
        }

        return this;
    }

    /// <summary>Adds or replaces a text element, encoded in this dataset's character set.</summary>
    public DicomDataset AddOrUpdate(DicomTag tag, DicomVR vr, params string[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var text = string.Join('\\', values);
        byte[] bytes;
        if (vr.IsString())
        {
            bytes = tag == DicomTags.SpecificCharacterSet || !vr.UsesSpecificCharacterSet()
                ? DicomCharacterSet.Default.Encode(text, vr)
                : CharacterSet.Encode(text, vr);
        }
        else
        {
            throw new DicomException($"{tag}: VR {vr.Code()} is not a text VR; use the numeric overload or pass bytes.");
        }

        return AddOrUpdate(new DicomElement(tag, vr, bytes));
    }

    /// <summary>Adds or replaces a text element, with the VR from the data dictionary.</summary>
    public DicomDataset AddOrUpdate(DicomTag tag, params string[] values) => AddOrUpdate(tag, DictionaryVR(tag), values);

    /// <summary>Adds or replaces a binary numeric element (US, SS, UL, SL, FL, FD, SV, UV), little endian.</summary>
    public DicomDataset AddOrUpdate<T>(DicomTag tag, DicomVR vr, params T[] values)
        where T : INumber<T> =>
        AddOrUpdate(new DicomElement(tag, vr, NumberEncoder.Encode(tag, vr, values)));

    public bool Remove(DicomTag tag)
    {
        var index = IndexOf(tag);
        if (index < 0)
        {
            return false;
        }

        if (tag == DicomTags.SpecificCharacterSet)
        {
            _characterSet = null;
        }

        _items.RemoveAt(index);
        return true;
    }

    public int RemoveAll(Predicate<DicomItem> match)
    {
        if (_items.Exists(i => i.Tag == DicomTags.SpecificCharacterSet && match(i)))
        {
            _characterSet = null;
        }

        return _items.RemoveAll(match);
    }

    /// <summary>The whole value as text, without trailing padding; null when absent.</summary>
    public string? GetString(DicomTag tag) => TryGetElement(tag, out var e) ? e.GetText(CharacterSet) : null;

    /// <summary>The values of a multi-valued text element; empty when absent or empty.</summary>
    public string[] GetStrings(DicomTag tag) => TryGetElement(tag, out var e) ? e.GetStrings(CharacterSet) : [];

    /// <summary>The value at <paramref name="index"/> (of a binary or IS/DS element), or null when absent.</summary>
    public T? GetValue<T>(DicomTag tag, int index = 0)
        where T : struct, INumber<T>
    {
        if (!TryGetElement(tag, out var e) || e.IsEmpty)
        {
            return null;
        }

        var values = e.GetNumbers<T>();
        return index < values.Length ? values[index] : null;
    }

    public T[] GetValues<T>(DicomTag tag)
        where T : INumber<T> =>
        TryGetElement(tag, out var e) ? e.GetNumbers<T>() : [];

    public DicomTag[] GetTags(DicomTag tag) => TryGetElement(tag, out var e) ? e.GetTags() : [];

    public DateOnly? GetDate(DicomTag tag) => DicomDate.TryParse(GetString(tag), out var d) ? d : null;

    public DicomTime? GetTime(DicomTag tag) => DicomTime.TryParse(GetString(tag), out var t) ? t : null;

    public DicomDateTime? GetDateTime(DicomTag tag) => DicomDateTime.TryParse(GetString(tag), out var dt) ? dt : null;

    public DicomPersonName? GetPersonName(DicomTag tag, int index = 0)
    {
        var values = GetStrings(tag);
        return index < values.Length ? DicomPersonName.Parse(values[index]) : null;
    }

    /// <summary>A UID value without its NUL padding, or null.</summary>
    public string? GetUid(DicomTag tag) => GetString(tag);

    /// <summary>The private creator that reserved the block of a private element, or null.</summary>
    public string? GetPrivateCreator(DicomTag privateTag) =>
        privateTag.IsPrivate && !privateTag.IsPrivateCreator && (privateTag.Element >> 8) >= 0x10
            ? GetString(privateTag.PrivateCreatorTag)?.Trim()
            : null;

    /// <summary>The private block of <paramref name="group"/> reserved by <paramref name="creator"/>; reserved now if asked.</summary>
    public DicomPrivateBlock? GetPrivateBlock(ushort group, string creator, bool reserve = false) =>
        DicomPrivateBlock.Find(this, group, creator, reserve);

    public IEnumerator<DicomItem> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// Appends an item as the reader meets it. Out-of-order input is only flagged here and sorted once
    /// by <see cref="CompleteParse"/>: inserting in place would make hostile input quadratic.
    /// </summary>
    internal void AppendUnordered(DicomItem item)
    {
        if (item is DicomSequence sequence)
        {
            sequence.AttachTo(this);
        }

        if (_items.Count > 0 && _items[^1].Tag >= item.Tag)
        {
            _unsorted = true;
        }

        _items.Add(item);
    }

    /// <summary>Sorts what <see cref="AppendUnordered"/> left out of order; of duplicate tags the last one read wins.</summary>
    internal void CompleteParse()
    {
        if (!_unsorted)
        {
            return;
        }

        _unsorted = false;
        var ordered = _items.Select((item, index) => (item, index))
            .OrderBy(p => p.item.Tag.Value)
            .ThenBy(p => p.index)
            .Select(p => p.item)
            .ToList();
        _items.Clear();
        foreach (var item in ordered)
        {
            if (_items.Count > 0 && _items[^1].Tag == item.Tag)
            {
                _items[^1] = item;
            }
            else
            {
                _items.Add(item);
            }
        }

        _characterSet = null;
    }

    internal DicomItem ItemAt(int index) => _items[index];

    private static DicomVR DictionaryVR(DicomTag tag)
    {
        var vr = DicomDictionary.Find(tag)?.ValueRepresentation ?? DicomVR.None;
        return vr == DicomVR.None ? throw new DicomException($"{tag} is not in the data dictionary; give its VR.") : vr;
    }

    private int IndexOf(DicomTag tag)
    {
        var lo = 0;
        var hi = _items.Count - 1;
        var key = tag.Value;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var value = _items[mid].Tag.Value;
            if (value == key)
            {
                return mid;
            }

            if (value < key)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return ~lo;
    }
}
