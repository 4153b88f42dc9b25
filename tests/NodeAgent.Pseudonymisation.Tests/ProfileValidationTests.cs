using NodeAgent.Pseudonymisation.Profiles;
using NodeAgent.Pseudonymisation.Standard;

namespace NodeAgent.Pseudonymisation.Tests;

public sealed class ProfileValidationTests
{
    private static string[] Errors(string json) =>
        Assert.Throws<ProfileException>(() => PseudonymisationProfile.Parse(json, "site.json"))!.Errors.ToArray();

    [Test]
    public void The_shipped_profiles_load_and_research_extends_basic()
    {
        var research = PseudonymisationProfile.Load("research");
        Assert.Multiple(() =>
        {
            Assert.That(PseudonymisationProfile.BuiltInNames, Is.SupersetOf(new[] { "basic", "research" }));
            Assert.That(research.Lineage, Is.EqualTo(new[] { "basic", "research" }));
            Assert.That(research.Options, Is.EqualTo(
                ConfidentialityOption.RetainLongitudinalTemporalInformationModifiedDates | ConfidentialityOption.RetainPatientCharacteristics |
                ConfidentialityOption.RetainDeviceIdentity | ConfidentialityOption.RetainSafePrivate | ConfidentialityOption.CleanDescriptors));
            Assert.That(research.AttributeRules.Select(r => r.DeclaredIn).Distinct(), Is.EquivalentTo(new[] { "basic", "research" }));
            Assert.That(PseudonymisationProfile.Load("basic").Options, Is.EqualTo(ConfidentialityOption.None));
        });
    }

    [Test]
    public void The_example_site_profiles_are_valid()
    {
        var examples = Directory.GetFiles(Path.Combine(RepositoryRoot(), "config", "profiles", "examples"), "*.json");
        Assert.That(examples, Is.Not.Empty);
        foreach (var example in examples)
        {
            var profile = PseudonymisationProfile.Load(example);
            Assert.That(profile.Lineage[0], Is.EqualTo("basic"), example);
        }
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "NodeAgent.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException("NodeAgent.sln not found above the test binaries.");
    }

    [Test]
    public void An_unknown_keyword_is_named_with_a_suggestion() =>
        Assert.That(Errors("""{ "attributes": [ { "tag": "patientid", "action": "keep" }, { "tag": "PatientNmae", "action": "remove" } ] }"""),
            Has.Some.Contains("attributes[0] (patientid): unknown keyword or tag 'patientid'; did you mean PatientID?")
               .And.Some.Contains("'PatientNmae'"));

    [Test]
    public void Unknown_options_actions_modes_and_properties_are_refused()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Errors("""{ "options": ["RetainEverything"] }"""), Has.Some.Contains("unknown option 'RetainEverything'"));
            Assert.That(Errors("""{ "attributes": [ { "tag": "PatientID", "action": "scramble" } ] }"""), Has.Some.Contains("unknown action 'scramble'"));
            Assert.That(Errors("""{ "mode": "whitelist-ish" }"""), Has.Some.Contains("unknown mode"));
            Assert.That(Errors("{ \"name\": \"x\",\n  \"atributes\": [] }"), Has.Some.Contains("line 2").And.Some.Contains("atributes"));
            Assert.That(Errors("""{ "attributes": [ { "tag": "(0029,1010)", "action": "keep" } ] }"""), Has.Some.Contains("privateCreators"));
        });
    }

    [Test]
    public void Rules_that_cannot_apply_to_the_attribute_are_refused()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Errors("""{ "attributes": [ { "tag": "InstitutionName", "action": "replace" } ] }"""), Has.Some.Contains("needs a 'value'"));
            Assert.That(Errors("""{ "attributes": [ { "tag": "StationName", "action": "replace", "value": "A_STATION_NAME_TOO_LONG" } ] }"""), Has.Some.Contains("longer than 16"));
            Assert.That(Errors("""{ "attributes": [ { "tag": "Rows", "action": "hash" } ] }"""), Has.Some.Contains("'hash' makes a 16-character pseudonym"));
            Assert.That(Errors("""{ "attributes": [ { "tag": "PatientName", "action": "shift" } ] }"""), Has.Some.Contains("'shift' works on dates"));
            Assert.That(Errors("""{ "attributes": [ { "tag": "PatientID", "action": "keep", "value": "x" } ] }"""), Has.Some.Contains("only for 'replace'"));
        });
    }

    [Test]
    public void Conflicting_rules_and_options_are_refused()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Errors("""{ "attributes": [ { "tag": "StationName", "action": "keep" }, { "tag": "StationName", "action": "remove", "when": { "modality": ["CT"] } } ] }"""),
                Has.Some.Contains("conflicting rules for StationName"));
            Assert.That(Errors("""{ "options": ["RetainLongitudinalTemporalInformationFullDates", "RetainLongitudinalTemporalInformationModifiedDates"] }"""),
                Has.Some.Contains("conflict"));
            Assert.That(Errors("""{ "dateShift": { "minDays": 10, "maxDays": -10 } }"""), Has.Some.Contains("minDays <= maxDays"));
        });

        Assert.DoesNotThrow(() => PseudonymisationProfile.Parse("""{ "attributes": [ { "tag": "StationName", "action": "keep", "when": { "modality": ["MR"] } }, { "tag": "StationName", "action": "remove", "when": { "modality": ["CT"] } } ] }"""), "disjoint conditions do not conflict");
    }

    [Test]
    public void A_rule_that_would_break_referential_integrity_is_refused()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Errors("""{ "attributes": [ { "tag": "SOPInstanceUID", "action": "keep" } ] }"""), Has.Some.Contains("would break referential integrity"));
            Assert.That(Errors("""{ "options": ["RetainUids"], "attributes": [ { "tag": "StudyInstanceUID", "action": "uid" } ] }"""), Has.Some.Contains("would break referential integrity"));
            Assert.That(Errors("""{ "attributes": [ { "tag": "SeriesInstanceUID", "action": "remove" } ] }"""), Has.Some.Contains("cannot be removed"));
        });
    }

    [Test]
    public void Extends_follows_files_beside_the_profile_and_detects_cycles()
    {
        var directory = Directory.CreateTempSubdirectory("nodeagent-profiles-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "a.json"), """{ "name": "a", "extends": "b", "attributes": [ { "tag": "StationName", "action": "keep" } ] }""");
            File.WriteAllText(Path.Combine(directory, "b.json"), """{ "name": "b", "extends": "research", "attributes": [ { "tag": "StationName", "action": "remove" } ] }""");
            var a = PseudonymisationProfile.Load(Path.Combine(directory, "a.json"));
            Assert.That(a.Lineage, Is.EqualTo(new[] { "basic", "research", "b", "a" }));
            Assert.That(a.AttributeRules.First(r => r.Tag == NodeAgent.Dicom.DicomTags.StationName).Action, Is.EqualTo(AttributeAction.Keep), "the extending profile wins");
            Assert.That(PseudonymisationProfile.Load("a", [directory]).Name, Is.EqualTo("a"), "found by name in a site folder");

            File.WriteAllText(Path.Combine(directory, "b.json"), """{ "name": "b", "extends": "a" }""");
            Assert.That(() => PseudonymisationProfile.Load(Path.Combine(directory, "a.json")), Throws.TypeOf<ProfileException>().With.Message.Contains("cycle"));
            Assert.That(() => PseudonymisationProfile.Load("nosuch", [directory]), Throws.TypeOf<ProfileException>().With.Message.Contains("basic, research"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public void Private_and_pixel_rules_are_checked()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Errors("""{ "privateCreators": [ { "creator": "ACME 1", "group": "0010", "action": "keep" } ] }"""), Has.Some.Contains("not a private"));
            Assert.That(Errors("""{ "privateCreators": [ { "creator": "ACME 1", "offsets": ["1G"], "action": "keep" } ] }"""), Has.Some.Contains("offset '1G'"));
            Assert.That(Errors("""{ "pixels": { "rules": [ { "model": "X" } ] } }"""), Has.Some.Contains("at least one rectangle"));
            Assert.That(Errors("""{ "pixels": { "burnedIn": "maybe" } }"""), Has.Some.Contains("'quarantine' or 'keep'"));
        });
    }
}
