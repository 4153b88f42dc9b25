namespace NodeAgent.Dicom;

/// <summary>
/// One entry of a dataset: a primitive <see cref="DicomElement"/>, a <see cref="DicomSequence"/> of
/// items, or a <see cref="DicomFragmentSequence"/> of encapsulated pixel data fragments.
/// </summary>
public abstract class DicomItem
{
    private protected DicomItem(DicomTag tag, DicomVR vr)
    {
        Tag = tag;
        VR = vr;
    }

    public DicomTag Tag { get; }

    public DicomVR VR { get; }

    public override string ToString() => $"{Tag} {VR.Code()}";
}
