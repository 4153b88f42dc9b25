using NodeAgent.Dicom;

namespace NodeAgent.Pseudonymisation;

/// <summary>The outcome for one instance: a pseudonymised file, or the reason it was quarantined.</summary>
public sealed class PseudonymisationResult
{
    private PseudonymisationResult(DicomFile? output, QuarantineReason? quarantine, bool pixelsCleaned)
    {
        Output = output;
        Quarantine = quarantine;
        PixelsCleaned = pixelsCleaned;
    }

    /// <summary>The pseudonymised file; null when quarantined. Its large values may still be read from the input file.</summary>
    public DicomFile? Output { get; }

    public QuarantineReason? Quarantine { get; }

    public bool IsQuarantined => Quarantine is not null;

    /// <summary>Burned-in text was blanked by a pixel rule.</summary>
    public bool PixelsCleaned { get; }

    internal static PseudonymisationResult Done(DicomFile output, bool pixelsCleaned) => new(output, null, pixelsCleaned);

    internal static PseudonymisationResult Quarantined(QuarantineReason reason) => new(null, reason, false);
}
