namespace NodeAgent.Dicom.IO.Internal;

/// <summary>
/// What the parser must remember of the dataset it is filling, independently of the dataset itself
/// (which may be unsorted, or not kept at all): private creators, for the VRs of private elements in
/// implicit VR, and the values that decide ambiguous VRs (Pixel Representation, LUT Descriptor).
/// </summary>
internal sealed class ItemContext(ItemContext? parent)
{
    private Dictionary<uint, string>? _creators;

    public ItemContext? Parent => parent;

    /// <summary>The encoding of this item's elements; a few writers switch to implicit VR inside items.</summary>
    public WireEncoding Encoding { get; set; }

    public ushort? PixelRepresentation { get; set; }

    public ushort? LutDescriptorFirst { get; set; }

    /// <summary>Pixel Representation of this item or the nearest enclosing one (PS3.5: attributes are inherited by nested items only for this purpose).</summary>
    public ushort? EffectivePixelRepresentation
    {
        get
        {
            for (var c = this; c is not null; c = c.Parent)
            {
                if (c.PixelRepresentation is { } value)
                {
                    return value;
                }
            }

            return null;
        }
    }

    public void AddCreator(DicomTag creatorTag, string creator)
    {
        _creators ??= [];
        _creators[creatorTag.Value] = creator;
    }

    public string? CreatorOf(DicomTag privateTag) =>
        _creators is not null && (privateTag.Element >> 8) >= 0x10 && _creators.TryGetValue(privateTag.PrivateCreatorTag.Value, out var creator)
            ? creator
            : null;
}
