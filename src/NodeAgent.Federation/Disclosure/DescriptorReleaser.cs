using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NodeAgent.Federation.V1;
using NodeAgent.Index.Counting;

namespace NodeAgent.Federation.Disclosure;

/// <summary>
/// Releases study descriptors for Search: each study under a keyed pseudonym (HMAC-SHA256 of the
/// requester, the canonical query and the study's UID, under a key derived from the site secret), with
/// coarse fields only (age in ten-year bands, the study's year, no dates, UIDs or identifiers). The
/// pseudonym differs between queries and requesters, so that descriptors of two searches cannot be
/// joined to narrow a study down (an exact date in one, an exact age in the other). When more studies
/// match than the site's cap, the sample is the studies with the smallest pseudonyms, which no
/// requester can steer, always of the cap's size whatever the requester asks. Of those, a descriptor
/// leaves only when its group (modalities, body part, age band, sex, year, number of series) holds at
/// least <c>minGroup</c> different patients: no released descriptor stands out, and one patient's many
/// studies do not make a group on their own.
/// </summary>
/// <remarks>
/// This is record-level release: unlike counts it carries no Laplace noise, and the number of
/// descriptors is itself a (capped, suppressed) count. That is why Search is off by default and a role
/// of its own.
/// </remarks>
public sealed class DescriptorReleaser(byte[] pseudonymKey)
{

    /// <param name="engine">The engine the studies are of.</param>
    /// <param name="scope">Who asks and what (requester and canonical query hash): the pseudonyms are for this release only.</param>
    /// <param name="studies">The matching studies, as the engine's codes.</param>
    /// <param name="limit">The most descriptors to consider.</param>
    /// <param name="minGroup">The smallest group of alike descriptors released.</param>
    /// <param name="rounding">Instances are rounded to this.</param>
    public IReadOnlyList<StudyDescriptor> Release(CountEngine engine, string scope, IReadOnlyList<int> studies, int limit, int minGroup, int rounding)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(studies);
        using var hmac = new HMACSHA256(pseudonymKey);
        var prefix = Encoding.UTF8.GetBytes(scope + "|");
        var sample = studies
            .Select(code => (Code: code, Key: Pseudonym(hmac, prefix, engine.StudyInstanceUidOf(code))))
            .OrderBy(s => s.Key, StringComparer.Ordinal)
            .Take(Math.Max(0, limit))
            .Select(s => (Study: engine.DescribeStudy(s.Code), s.Key))
            .Select(s => (Descriptor: Describe(s.Study, s.Key, Math.Max(1, rounding)), s.Study.Patient))
            .ToList();

        // Groups are counted in patients: ten follow-ups of one patient are one person, not ten.
        var patientsInGroup = sample.GroupBy(s => GroupOf(s.Descriptor), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(s => s.Patient).Distinct().Count(), StringComparer.Ordinal);
        return sample.Where(s => patientsInGroup[GroupOf(s.Descriptor)] >= minGroup).Select(s => s.Descriptor).ToList();
    }

    /// <summary>Ten-year bands, 90 and over as one (ages above 89 are identifying: PS3.15 and HIPAA agree).</summary>
    public static string AgeBand(int? years) => years switch
    {
        null or < 0 => "",
        >= 90 => "90+",
        _ => string.Create(CultureInfo.InvariantCulture, $"{years / 10 * 10}-{(years / 10 * 10) + 9}"),
    };

    private static string Pseudonym(HMACSHA256 hmac, byte[] prefix, string studyInstanceUid) =>
        Convert.ToHexStringLower(hmac.ComputeHash([.. prefix, .. Encoding.UTF8.GetBytes(studyInstanceUid)]).AsSpan(0, 16));

    private static StudyDescriptor Describe(StudySummary study, string key, int rounding)
    {
        var descriptor = new StudyDescriptor
        {
            StudyKey = key,
            BodyPart = study.BodyPart ?? "",
            AgeBand = AgeBand(study.AgeYears),
            Sex = study.Sex ?? "",
            StudyYear = study.StudyYear ?? 0,
            Series = study.Series,
            Instances = (int)Math.Min(int.MaxValue, (long)Math.Round((double)study.Instances / rounding, MidpointRounding.AwayFromZero) * rounding),
        };
        descriptor.Modalities.AddRange(study.Modalities);
        return descriptor;
    }

    private static string GroupOf(StudyDescriptor d) =>
        string.Join('|', string.Join('\\', d.Modalities), d.BodyPart, d.AgeBand, d.Sex, d.StudyYear.ToString(CultureInfo.InvariantCulture), d.Series.ToString(CultureInfo.InvariantCulture));
}
