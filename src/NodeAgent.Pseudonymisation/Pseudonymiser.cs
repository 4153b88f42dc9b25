using NodeAgent.Dicom;
using NodeAgent.Pseudonymisation.Internal;
using NodeAgent.Pseudonymisation.Keys;
using NodeAgent.Pseudonymisation.Profiles;
using NodeAgent.Pseudonymisation.ReIdentification;
using NodeAgent.Pseudonymisation.Standard;

namespace NodeAgent.Pseudonymisation;

/// <summary>
/// Pseudonymises DICOM instances under a profile and the site key. One instance serves any number
/// of threads; each call rewrites the dataset it is given in place.
/// </summary>
public sealed class Pseudonymiser
{
    private const ConfidentialityOption OptionsThatClean =
        ConfidentialityOption.CleanDescriptors | ConfidentialityOption.CleanStructuredContent | ConfidentialityOption.CleanGraphics |
        ConfidentialityOption.RetainDeviceIdentity | ConfidentialityOption.RetainPatientCharacteristics;

    private readonly PseudonymGenerator _pseudonyms;
    private readonly ReIdentificationStore? _reIdentification;
    private readonly bool _needsScrubber;

    public Pseudonymiser(PseudonymisationProfile profile, SiteSecret secret, ReIdentificationStore? reIdentification = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(secret);
        Profile = profile;
        _pseudonyms = new PseudonymGenerator(secret);
        _reIdentification = reIdentification;
        // Building the list of identifying values costs a pass over the instance: only when something may be cleaned.
        _needsScrubber = (profile.Options & OptionsThatClean) != 0 || profile.AttributeRules.Any(r => r.Action == AttributeAction.Clean);
    }

    public PseudonymisationProfile Profile { get; }

    public string KeyId => _pseudonyms.KeyId;

    /// <summary>
    /// Pseudonymises <paramref name="input"/> (its dataset is rewritten in place), or says why it must
    /// be quarantined. <paramref name="explain"/>, when given, receives one entry per element.
    /// </summary>
    public PseudonymisationResult Pseudonymise(DicomFile input, List<ExplainEntry>? explain = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        var dataset = input.Dataset;
        if (dataset.IsPartial)
        {
            return Quarantine(QuarantineReason.Malformed, "the file ends before its data set does");
        }

        try
        {
            if (input.FileMetaInformation.GetString(DicomTags.MediaStorageSOPClassUID)?.Trim() == DicomUids.MediaStorageDirectoryStorage)
            {
                return Quarantine(QuarantineReason.Unsupported, "a DICOMDIR is an index of files, not an image: pseudonymise the files it lists");
            }

            if (!input.TransferSyntax.IsKnown)
            {
                // Its encoding is a guess; an output in it could not be read back by anyone.
                return Quarantine(QuarantineReason.Unsupported, "the transfer syntax is not a known one");
            }

            var sopClass = dataset.GetString(DicomTags.SOPClassUID)?.Trim();
            if (string.IsNullOrEmpty(sopClass) || string.IsNullOrEmpty(dataset.GetString(DicomTags.SOPInstanceUID)?.Trim()))
            {
                return Quarantine(QuarantineReason.Unsupported, "no SOP Class UID or SOP Instance UID: not a composite instance");
            }

            var facts = new InstanceFacts(
                dataset.GetString(DicomTags.Modality)?.Trim(),
                sopClass,
                dataset.GetString(DicomTags.Manufacturer)?.Trim(),
                dataset.GetString(DicomTags.ManufacturerModelName)?.Trim(),
                dataset.GetValue<int>(DicomTags.Rows) ?? 0,
                dataset.GetValue<int>(DicomTags.Columns) ?? 0);

            var pixelsCleaned = false;
            if (BurnedInTextRisk.Assess(dataset) is { } risk)
            {
                if (Profile.FindPixelRule(facts) is { } rule)
                {
                    if (PixelBlanker.Blank(dataset, rule.Rectangles) is { } problem)
                    {
                        return Quarantine(QuarantineReason.BurnedInAnnotation, $"{risk}, and {problem}");
                    }

                    pixelsCleaned = true;
                }
                else if (Profile.BurnedIn == BurnedInPolicy.Quarantine)
                {
                    return Quarantine(QuarantineReason.BurnedInAnnotation, $"{risk}, and no pixel rule covers {Describe(facts)}");
                }
            }

            new InstanceRewriter(dataset, facts, Profile, _pseudonyms, _needsScrubber, _reIdentification, explain).Run();
            DeidentificationMarks.Apply(dataset, Profile, KeyId, pixelsCleaned);
            return PseudonymisationResult.Done(new DicomFile(dataset, input.TransferSyntax), pixelsCleaned);
        }
        catch (DicomException e)
        {
            // Codec messages name tags and offsets, never values.
            return Quarantine(QuarantineReason.Malformed, e.Message);
        }
    }

    private static PseudonymisationResult Quarantine(string category, string message) =>
        PseudonymisationResult.Quarantined(new QuarantineReason(category, message));

    private static string Describe(InstanceFacts facts) =>
        $"manufacturer '{facts.Manufacturer ?? "-"}', model '{facts.ManufacturerModelName ?? "-"}', {facts.Rows}x{facts.Columns}";
}
