namespace NodeAgent.Dicom;

/// <summary>
/// A block of private elements reserved by a private creator (PS3.5 7.8.1): creator element
/// (gggg,00xx) reserves elements (gggg,xx00-xxFF). Rules about private data go by creator and
/// offset, never by the block number, which depends on where the creator was reserved.
/// </summary>
public sealed class DicomPrivateBlock
{
    private DicomPrivateBlock(ushort group, byte blockNumber, string creator)
    {
        Group = group;
        BlockNumber = blockNumber;
        Creator = creator;
    }

    public ushort Group { get; }

    /// <summary>The xx of the reserving element (gggg,00xx), 0x10 to 0xFF.</summary>
    public byte BlockNumber { get; }

    public string Creator { get; }

    public DicomTag CreatorTag => new(Group, BlockNumber);

    /// <summary>The tag of the element at <paramref name="offset"/> within this block.</summary>
    public DicomTag Tag(byte offset) => new(Group, (ushort)((BlockNumber << 8) | offset));

    internal static DicomPrivateBlock? Find(DicomDataset dataset, ushort group, string creator, bool reserve)
    {
        if ((group & 1) == 0 || group <= 0x0007)
        {
            throw new ArgumentException($"Group {group:X4} is not a private group.", nameof(group));
        }

        byte? free = null;
        for (var block = 0x10; block <= 0xFF; block++)
        {
            var tag = new DicomTag(group, (ushort)block);
            var existing = dataset.GetString(tag);
            if (existing is null)
            {
                free ??= (byte)block;
                continue;
            }

            if (string.Equals(existing.Trim(), creator.Trim(), StringComparison.Ordinal))
            {
                return new DicomPrivateBlock(group, (byte)block, existing.Trim());
            }
        }

        if (!reserve)
        {
            return null;
        }

        if (free is null)
        {
            throw new DicomException($"Group {group:X4} has no free private block left.");
        }

        dataset.AddOrUpdate(new DicomTag(group, free.Value), DicomVR.LO, creator);
        return new DicomPrivateBlock(group, free.Value, creator);
    }
}
