using NodeAgent.Dicom.Network.Pdus;

namespace NodeAgent.Dicom.Network.Client.Internal;

/// <summary>
/// What we offer to receive as a C-GET storage SCP. One context per transfer syntax family, so the
/// PACS sends each image as it stores it (a JPEG stays JPEG): proposing several compressed syntaxes
/// in one context would let the PACS pick one and transcode the others. Within the 128 contexts an
/// association may carry (odd IDs 1-255), uncompressed contexts cover the common storage classes and
/// compressed ones the classes that are usually compressed.
/// </summary>
internal static class StorageContexts
{
    private static readonly string[] Uncompressed =
    [
        DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian, DicomUids.ExplicitVRBigEndian, DicomUids.DeflatedExplicitVRLittleEndian,
    ];

    private static readonly string[] Compressed =
    [
        DicomUids.JPEGBaseline8Bit, DicomUids.JPEGExtended12Bit, DicomUids.JPEGLosslessSV1, DicomUids.JPEGLossless, DicomUids.JPEGLSLossless,
        DicomUids.JPEG2000Lossless, DicomUids.JPEG2000, DicomUids.RLELossless,
    ];

    /// <summary>Storage classes found in oncology imaging, in order of importance (contexts are capped).</summary>
    private static readonly string[] CommonClasses =
    [
        DicomUids.CTImageStorage, DicomUids.MRImageStorage, DicomUids.PositronEmissionTomographyImageStorage, DicomUids.SegmentationStorage,
        DicomUids.ComputedRadiographyImageStorage, DicomUids.DigitalXRayImageStorageForPresentation, DicomUids.DigitalMammographyXRayImageStorageForPresentation,
        DicomUids.UltrasoundImageStorage, DicomUids.UltrasoundMultiFrameImageStorage, DicomUids.SecondaryCaptureImageStorage,
        DicomUids.EnhancedCTImageStorage, DicomUids.EnhancedMRImageStorage, DicomUids.EnhancedPETImageStorage, DicomUids.NuclearMedicineImageStorage,
        DicomUids.RTStructureSetStorage, DicomUids.RTDoseStorage, DicomUids.RTPlanStorage, DicomUids.RTImageStorage,
        DicomUids.BreastTomosynthesisImageStorage, DicomUids.XRayAngiographicImageStorage, DicomUids.KeyObjectSelectionDocumentStorage,
        DicomUids.BasicTextSRStorage, DicomUids.EnhancedSRStorage, DicomUids.ComprehensiveSRStorage, DicomUids.GrayscaleSoftcopyPresentationStateStorage,
        DicomUids.EncapsulatedPDFStorage, DicomUids.MultiFrameGrayscaleByteSecondaryCaptureImageStorage, DicomUids.MultiFrameTrueColorSecondaryCaptureImageStorage,
        DicomUids.VLPhotographicImageStorage, DicomUids.ParametricMapStorage, DicomUids.SpatialRegistrationStorage,
    ];

    /// <summary>Classes whose images are often compressed, which get one context per compressed syntax.</summary>
    private static readonly string[] OftenCompressed =
    [
        DicomUids.UltrasoundImageStorage, DicomUids.UltrasoundMultiFrameImageStorage, DicomUids.SecondaryCaptureImageStorage,
        DicomUids.DigitalMammographyXRayImageStorageForPresentation, DicomUids.ComputedRadiographyImageStorage, DicomUids.DigitalXRayImageStorageForPresentation,
        DicomUids.CTImageStorage, DicomUids.MRImageStorage, DicomUids.XRayAngiographicImageStorage, DicomUids.BreastTomosynthesisImageStorage,
    ];

    /// <summary>Proposals starting at context ID <paramref name="firstId"/>, at most <paramref name="maxContexts"/>.</summary>
    public static List<PresentationContextProposal> Proposals(byte firstId, int maxContexts, IReadOnlyCollection<string>? extraClasses = null)
    {
        var proposals = new List<PresentationContextProposal>();
        var id = firstId;
        var classes = CommonClasses.Concat(extraClasses ?? []).Distinct(StringComparer.Ordinal).ToList();
        foreach (var sopClass in classes)
        {
            Add(sopClass, Uncompressed);
        }

        foreach (var syntax in Compressed)
        {
            foreach (var sopClass in OftenCompressed)
            {
                Add(sopClass, [syntax]);
            }
        }

        return proposals;

        void Add(string sopClass, string[] syntaxes)
        {
            if (proposals.Count < maxContexts && id <= 255)
            {
                proposals.Add(new PresentationContextProposal(id, sopClass, syntaxes));
                id += 2;
            }
        }
    }

    /// <summary>SCP role for each proposed storage class (PS3.4 C.4.3.1: the C-GET SCU receives the instances).</summary>
    public static List<RoleSelection> ScpRoles(IEnumerable<PresentationContextProposal> storage) =>
        storage.Select(p => p.AbstractSyntax).Distinct(StringComparer.Ordinal).Select(uid => new RoleSelection(uid, ScuRole: false, ScpRole: true)).ToList();
}
