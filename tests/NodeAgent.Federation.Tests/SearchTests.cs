using System.Text.RegularExpressions;
using Grpc.Core;
using Grpc.Net.Client;
using NodeAgent.Federation.Disclosure;
using NodeAgent.Federation.Service;
using NodeAgent.Federation.V1;
using NodeAgent.Index.Catalogue;
using NodeAgent.Index.Counting;
using NodeAgent.Testing.Federation;

namespace NodeAgent.Federation.Tests;

/// <summary>Search over a real socket: coarse, pseudonymised, k-anonymous study descriptors.</summary>
public sealed partial class SearchTests
{
    private const int Threshold = 5;
    private static readonly byte[] PseudonymKey = Enumerable.Repeat((byte)3, 32).ToArray();
    private List<SeriesRecord> _records = null!;
    private CountEngine _engine = null!;
    private TestNode _node = null!;
    private GrpcChannel _channel = null!;
    private NodeFederation.NodeFederationClient _client = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        // 400 studies of 200 patients: two series each (CT and PT of the chest, or MR of the prostate);
        // ages in 4 decades, two sexes, two years: groups of about 25 studies. One rare study of its own.
        _records = [];
        for (var study = 0; study < 400; study++)
        {
            var prostate = study % 2 == 0;
            for (var series = 0; series < 2; series++)
            {
                _records.Add(new SeriesRecord
                {
                    Id = $"s|{study}.{series}",
                    Source = "s",
                    SeriesInstanceUid = $"1.2.{study}.{series}",
                    StudyInstanceUid = $"1.3.{study}",
                    PatientKey = "PATIENT-" + (study / 2),
                    Modality = prostate ? "MR" : series == 0 ? "CT" : "PT",
                    BodyPart = prostate ? "PROSTATE" : "CHEST",
                    Sex = study % 4 < 2 ? "M" : "F",
                    AgeYears = 40 + (study % 40),
                    StudyDate = 20200301 + ((study % 8 / 4) * 10000),
                    Instances = 101,
                });
            }
        }

        // One patient's six follow-ups, alike in every released field: six studies, but one person.
        for (var followUp = 0; followUp < 6; followUp++)
        {
            _records.Add(new SeriesRecord { Id = $"s|f{followUp}", Source = "s", SeriesInstanceUid = $"7.{followUp}", StudyInstanceUid = $"8.{followUp}", PatientKey = "FOLLOWUP", Modality = "MG", BodyPart = "BREAST", Sex = "F", AgeYears = 55, StudyDate = 20220301 + followUp, Instances = 4 });
        }

        _records.Add(new SeriesRecord { Id = "s|rare", Source = "s", SeriesInstanceUid = "9.9", StudyInstanceUid = "9.8", PatientKey = "RARE", Modality = "MG", BodyPart = "BREAST", Sex = "F", AgeYears = 97, StudyDate = 20210102, Instances = 4 });
        _engine = CountEngine.Build(_records);
        _node = await TestNode.StartAsync(new FixedNodeCatalogue(_engine), new TestNodeOptions
        {
            Releaser = new CountReleaser(new DisclosurePolicy { Threshold = Threshold, Rounding = 10, Epsilon = 1 }, new byte[32]),
            Federation = new FederationOptions { SearchEnabled = true, SearchMaxResults = 300 },
            Descriptors = new DescriptorReleaser(PseudonymKey),
        });
        _channel = GrpcChannel.ForAddress(_node.Address);
        _client = new NodeFederation.NodeFederationClient(_channel);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _channel?.Dispose();
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }
    }

    [Test]
    public async Task Descriptors_carry_coarse_fields_under_keyed_pseudonyms_and_nothing_identifying()
    {
        var (summary, studies) = await SearchAsync(Query("bodypart", "PROSTATE"));
        var identifiers = _records.SelectMany(r => new[] { r.StudyInstanceUid, r.SeriesInstanceUid, r.PatientKey }).ToHashSet();
        Assert.Multiple(() =>
        {
            Assert.That(summary.Truncated, Is.False);
            Assert.That(summary.Studies.Count, Is.EqualTo(200).Within(20), "the matching studies, noised as Count releases them");
            Assert.That(studies, Has.Count.EqualTo(200), "every prostate study is in a group of at least the threshold");
            Assert.That(studies.Select(s => s.StudyKey).Distinct().Count(), Is.EqualTo(200));
            Assert.That(studies.All(s => HexKey().IsMatch(s.StudyKey)), Is.True);
            Assert.That(studies.All(s => s.Modalities.SequenceEqual(["MR"]) && s.BodyPart == "PROSTATE" && s.Series == 2 && s.Instances == 200), Is.True, "instances rounded to 10");
            Assert.That(studies.Select(s => s.AgeBand).Distinct(), Is.EquivalentTo(new[] { "40-49", "50-59", "60-69", "70-79" }));
            Assert.That(studies.Select(s => s.StudyYear).Distinct(), Is.EquivalentTo(new[] { 2020, 2021 }));
            Assert.That(studies.Select(s => s.ToString()).Any(text => identifiers.Any(text.Contains)), Is.False, "no UID or patient key in any descriptor");
        });
    }

    [Test]
    public async Task A_study_describes_all_its_series_and_its_key_is_the_sites_hmac_for_this_query_only()
    {
        var (summary, studies) = await SearchAsync(Query("modality", "PT"));
        var (_, chest) = await SearchAsync(Query("bodypart", "CHEST"));
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(PseudonymKey, System.Text.Encoding.UTF8.GetBytes($"|{summary.QueryHash}|1.3.1")).AsSpan(0, 16));
        Assert.Multiple(() =>
        {
            Assert.That(studies.All(s => s.Modalities.SequenceEqual(["CT", "PT"])), Is.True, "the study's CT series too, though only PT was asked");
            Assert.That(studies.Select(s => s.StudyKey), Does.Contain(expected));
            Assert.That(chest, Has.Count.EqualTo(studies.Count), "the same studies (every chest study has a PT series)");
            Assert.That(chest.Select(s => s.StudyKey).Intersect(studies.Select(s => s.StudyKey)), Is.Empty, "two searches cannot be joined on their keys");
        });
    }

    [Test]
    public async Task A_cohort_below_the_threshold_releases_no_descriptor()
    {
        var (summary, studies) = await SearchAsync(Query("modality", "MG"));
        Assert.Multiple(() =>
        {
            Assert.That(studies, Is.Empty);
            Assert.That(summary.Studies.FewerThan, Is.EqualTo(Threshold));
        });
    }

    [Test]
    public async Task A_descriptor_alone_in_its_group_is_withheld_and_every_released_group_holds_the_threshold()
    {
        // The rare study (MG, 90+) matches with all the others: its group of one stays home; so do
        // the six follow-ups of one patient, a group of six studies but one person.
        var (_, studies) = await SearchAsync(new Query { Criterion = new NodeAgent.Federation.V1.Criterion { AllOf = new Criteria() } });
        Assert.Multiple(() =>
        {
            Assert.That(studies.Any(s => s.Modalities.Contains("MG") || s.AgeBand == "90+"), Is.False);
            Assert.That(studies.GroupBy(s => (string.Join('\\', s.Modalities), s.BodyPart, s.AgeBand, s.Sex, s.StudyYear, s.Series)).Min(g => g.Count()), Is.GreaterThanOrEqualTo(Threshold));
        });
    }

    [Test]
    public async Task More_matches_than_the_cap_give_a_stable_sample_marked_truncated()
    {
        var first = await SearchAsync(new Query { Criterion = new NodeAgent.Federation.V1.Criterion { AllOf = new Criteria() } }, maxResults: 50);
        var again = await SearchAsync(new Query { Criterion = new NodeAgent.Federation.V1.Criterion { AllOf = new Criteria() } }, maxResults: 50);
        var capped = await SearchAsync(new Query { Criterion = new NodeAgent.Federation.V1.Criterion { AllOf = new Criteria() } }, maxResults: 100_000);
        Assert.Multiple(() =>
        {
            Assert.That(first.Summary.Truncated, Is.True);
            Assert.That(first.Studies, Has.Count.EqualTo(50));
            Assert.That(again.Studies.Select(s => s.StudyKey), Is.EqualTo(first.Studies.Select(s => s.StudyKey)), "the same sample every time");
            Assert.That(capped.Studies.Take(50).Select(s => s.StudyKey), Is.EqualTo(first.Studies.Select(s => s.StudyKey)), "fewer asked: the first of the same release, not another sample");
            Assert.That(capped.Summary.MaxResults, Is.EqualTo(300), "the site's cap, whatever is asked");
            Assert.That(capped.Studies, Has.Count.LessThanOrEqualTo(300));
        });
    }

    [Test]
    public async Task Search_is_refused_where_the_site_keeps_it_off_and_a_negative_cap_is_invalid()
    {
        await using var off = await TestNode.StartAsync(new FixedNodeCatalogue(_engine));
        using var channel = GrpcChannel.ForAddress(off.Address);
        var refused = (await Assert.ThrowsAsync<RpcException>(async () => await Drain(new NodeFederation.NodeFederationClient(channel).Search(new SearchRequest()))))!;
        var invalid = (await Assert.ThrowsAsync<RpcException>(async () => await Drain(_client.Search(new SearchRequest { MaxResults = -1 }))))!;
        Assert.Multiple(() =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(StatusCode.PermissionDenied));
            Assert.That(invalid.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        });
    }

    [TestCase(null, "")]
    [TestCase(0, "0-9")]
    [TestCase(49, "40-49")]
    [TestCase(89, "80-89")]
    [TestCase(90, "90+")]
    [TestCase(104, "90+")]
    public void Ages_are_released_in_ten_year_bands_with_90_and_over_as_one(int? years, string band) =>
        Assert.That(DescriptorReleaser.AgeBand(years), Is.EqualTo(band));

    private static Query Query(string field, string value)
    {
        var set = new ValueSet { Field = field };
        set.Values.Add(value);
        return new Query { Criterion = new NodeAgent.Federation.V1.Criterion { InSet = set } };
    }

    private async Task<(SearchSummary Summary, List<StudyDescriptor> Studies)> SearchAsync(Query query, int maxResults = 0) =>
        await Drain(_client.Search(new SearchRequest { Query = query, MaxResults = maxResults }));

    private static async Task<(SearchSummary Summary, List<StudyDescriptor> Studies)> Drain(AsyncServerStreamingCall<SearchResponse> call)
    {
        using (call)
        {
            SearchSummary? summary = null;
            var studies = new List<StudyDescriptor>();
            await foreach (var response in call.ResponseStream.ReadAllAsync())
            {
                if (response.KindCase == SearchResponse.KindOneofCase.Summary)
                {
                    Assert.That(summary, Is.Null, "one summary");
                    Assert.That(studies, Is.Empty, "the summary comes first");
                    summary = response.Summary;
                }
                else
                {
                    studies.Add(response.Study);
                }
            }

            return (summary ?? throw new AssertionException("no summary"), studies);
        }
    }

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex HexKey();
}
