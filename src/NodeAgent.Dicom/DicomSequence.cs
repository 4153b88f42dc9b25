namespace NodeAgent.Dicom;

/// <summary>A sequence (SQ) element: an ordered list of item datasets.</summary>
public sealed class DicomSequence : DicomItem
{
    private readonly List<DicomDataset> _items;
    private DicomDataset? _owner;

    public DicomSequence(DicomTag tag, params IEnumerable<DicomDataset> items)
        : base(tag, DicomVR.SQ)
    {
        _items = [.. items];
    }

    public IReadOnlyList<DicomDataset> Items => _items;

    public int Count => _items.Count;

    public DicomDataset this[int index] => _items[index];

    public void Add(DicomDataset item)
    {
        ArgumentNullException.ThrowIfNull(item);
        item.Parent = _owner;
        _items.Add(item);
    }

    public void RemoveAt(int index) => _items.RemoveAt(index);

    /// <summary>Items inherit the Specific Character Set of the dataset holding the sequence.</summary>
    internal void AttachTo(DicomDataset owner)
    {
        _owner = owner;
        foreach (var item in _items)
        {
            item.Parent = owner;
        }
    }
}
