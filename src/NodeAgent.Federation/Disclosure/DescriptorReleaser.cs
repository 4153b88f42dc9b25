using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using NodeAgent.Federation.V1;
using NodeAgent.Index.Counting;

namespace NodeAgent.Federation.Disclosure;

/// <summary>
/// Releases study descriptors for Search: each study under a keyed pseudonym (HMAC-SHA256 of its UID
/// under a key derived from the site secret), with coarse fields only (age in ten-year bands, the
/// study's year, no dates, UIDs or identifiers). Which studies are released when more match than the
/// cap is decided by the pseudonyms' order, a sample no requester can steer. Of those, only the
/// descriptors that share their fields (modalities, body part, age band, sex, study year) with at
/// least <c>minGroup - 1</c> other released descriptors leave: no released descriptor stands out alone.
/// </summary>
/// <remarks>
/// This is record-level release: unlike counts it carries no Laplace noise, and the number of
/// descriptors is itself a (capped, suppressed) count. That is why Search is off by default and a role
/// of its own.
/// </remarks>
public sealed class DescriptorReleaser(byte[] pseudonymKey)
{
    // Pseudonyms are computed once per study per engine (a new catalogue is a new engine).
    private readonly ConditionalWeakTable<CountEngine, string?[]> _pseudonyms = [];

    /// <param name="engine">The engine the studies are of.</param>
    /// <param name="studies">The matching studies, as the engine's codes.</param>
    /// <param name="limit">The most descriptors to consider.</param>
    /// <param name="minGroup">The smallest group of alike descriptors released.</param>
    /// <param name="rounding">Instances are rounded to this.</param>
    public (IReadOnlyList<StudyDescriptor> Released, bool Truncated) Release(CountEngine engine, IReadOnlyList<int> studies, int limit, int minGroup, int rounding)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(studies);
        var pseudonyms = _pseudonyms.GetValue(engine, e => new string?[e.StudyCount]);
        var sample = studies
            .Select(code => (Code: code, Key: pseudonyms[code] ??= Pseudonym(engine.StudyInstanceUidOf(code))))
            .OrderBy(s => s.Key, StringComparer.Ordinal)
            .Take(Math.Max(0, limit))
            .Select(s => Describe(engine.DescribeStudy(s.Code), s.Key, Math.Max(1, rounding)))
            .ToList();
        var groupSizes = sample.GroupBy(GroupOf, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var released = sample.Where(d => groupSizes[GroupOf(d)] >= minGroup).ToList();
        return (released, studies.Count > limit);
    }

    /// <summary>Ten-year bands, 90 and over as one (ages above 89 are identifying: PS3.15 and HIPAA agree).</summary>
    public static string AgeBand(int? years) => years switch
    {
        null or < 0 => "",
        >= 90 => "90+",
        _ => string.Create(CultureInfo.InvariantCulture, $"{years / 10 * 10}-{(years / 10 * 10) + 9}"),
    };

    private string Pseudonym(string studyInstanceUid) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(pseudonymKey, Encoding.UTF8.GetBytes(studyInstanceUid)).AsSpan(0, 16));

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
        string.Join('|', string.Join('\\', d.Modalities), d.BodyPart, d.AgeBand, d.Sex, d.StudyYear.ToString(CultureInfo.InvariantCulture));
}
