using System.Text;
using NodeAgent.Dicom;
using NodeAgent.Pseudonymisation.Batch;
using NodeAgent.Pseudonymisation.Keys;
using NodeAgent.Pseudonymisation.Profiles;

namespace NodeAgent.Pseudonymisation.Tests;

/// <summary>One test per defect found in review, named after it.</summary>
public sealed class ReviewRegressionTests
{
    private static readonly SiteSecret Secret = SiteSecret.FromBytes(new byte[32]);

    private static DicomDataset Pseudonymise(string profileJsonOrName, DicomDataset dataset)
    {
        var profile = profileJsonOrName.StartsWith('{') ? PseudonymisationProfile.Parse(profileJsonOrName) : PseudonymisationProfile.Load(profileJsonOrName);
        var result = new Pseudonymiser(profile, Secret).Pseudonymise(TestInstances.File(dataset));
        Assert.That(result.Quarantine, Is.Null);
        return TestInstances.RoundTrip(result.Output!).Dataset;
    }

    private static DicomDataset WithStructuredText()
    {
        var ds = TestInstances.Ct();
        var text = new DicomDataset();
        text.AddOrUpdate(DicomTags.ValueType, DicomVR.CS, "TEXT");
        text.AddOrUpdate(DicomTags.TextValue, DicomVR.UT, "Patient Kowalski seen by Dr Who in room 12");
        ds.AddOrUpdate(new DicomSequence(DicomTags.ContentSequence, text));
        var textObject = new DicomDataset();
        textObject.AddOrUpdate(DicomTags.UnformattedTextValue, DicomVR.ST, "KOWALSKI ANNA 1951");
        var annotation = new DicomDataset();
        annotation.AddOrUpdate(DicomTags.GraphicLayer, DicomVR.CS, "LAYER1");
        annotation.AddOrUpdate(new DicomSequence(DicomTags.TextObjectSequence, textObject));
        ds.AddOrUpdate(new DicomSequence(DicomTags.GraphicAnnotationSequence, annotation));
        return ds;
    }

    [Test]
    public void Free_text_inside_content_and_graphic_annotation_sequences_is_replaced_under_basic()
    {
        var ds = Pseudonymise("basic", WithStructuredText());
        var text = ds.GetSequence(DicomTags.ContentSequence)![0];
        var annotation = ds.GetSequence(DicomTags.GraphicAnnotationSequence)![0];
        Assert.Multiple(() =>
        {
            Assert.That(text.GetString(DicomTags.TextValue), Is.EqualTo("ANONYMIZED"));
            Assert.That(text.GetString(DicomTags.ValueType), Is.EqualTo("TEXT"), "codes stay");
            Assert.That(annotation.GetSequence(DicomTags.TextObjectSequence)![0].GetString(DicomTags.UnformattedTextValue), Is.EqualTo("ANONYMIZED"));
            Assert.That(annotation.GetString(DicomTags.GraphicLayer), Is.EqualTo("LAYER1"));
        });
    }

    [Test]
    public void Free_text_inside_cleaned_sequences_is_scrubbed_under_the_clean_options()
    {
        var ds = Pseudonymise("""{ "name": "c", "options": ["CleanStructuredContent", "CleanGraphics"] }""", WithStructuredText());
        Assert.Multiple(() =>
        {
            Assert.That(ds.GetSequence(DicomTags.ContentSequence)![0].GetString(DicomTags.TextValue), Is.EqualTo("Patient *** seen by Dr Who in room 12"));
            Assert.That(ds.GetSequence(DicomTags.GraphicAnnotationSequence)![0].GetSequence(DicomTags.TextObjectSequence)![0].GetString(DicomTags.UnformattedTextValue), Is.EqualTo("*** *** 1951"));
        });
    }

    [Test]
    public void Clean_graphics_removes_overlay_bitmaps_it_cannot_clean()
    {
        var ds = Pseudonymise("""{ "name": "g", "options": ["CleanGraphics"] }""", TestInstances.Ct());
        Assert.That(ds.Any(i => i.Tag.Group is 0x6000 or 0x5000), Is.False);
    }

    [Test]
    public void Safe_private_uids_are_mapped_and_values_of_another_vr_removed()
    {
        var input = TestInstances.Ct();
        var nq = input.GetPrivateBlock(0x0099, "NQHeader", reserve: true)!;
        input.AddOrUpdate(nq.Tag(0x02), DicomVR.UI, TestInstances.SeriesUid);
        var philips = input.GetPrivateBlock(0x2001, "Philips Imaging DD 001")!;
        input.AddOrUpdate(new DicomElement(philips.Tag(0x03), DicomVR.OB, Encoding.ASCII.GetBytes("SMITH^JOHN")));
        var ds = Pseudonymise("research", input);
        var outNq = ds.GetPrivateBlock(0x0099, "NQHeader");
        Assert.Multiple(() =>
        {
            Assert.That(outNq is null ? null : ds.GetString(outNq.Tag(0x02)), Is.EqualTo(new PseudonymGenerator(Secret).Uid(TestInstances.SeriesUid)));
            Assert.That(ds.Contains(ds.GetPrivateBlock(0x2001, "Philips Imaging DD 001")!.Tag(0x03)), Is.False, "declared FL, sent as OB");
        });
    }

    [Test]
    public void Names_dates_and_uids_under_a_wrong_vr_are_removed_and_kinds_of_uid_kept()
    {
        var input = TestInstances.Ct();
        input.AddOrUpdate(new DicomElement(DicomTags.PerformingPhysicianName, DicomVR.LO, Encoding.ASCII.GetBytes("Smith^John")));
        input.AddOrUpdate(DicomTags.SOPClassUID, DicomVR.UI, "1.3.12.2.1107.5.9.1");
        var code = new DicomDataset();
        code.AddOrUpdate(DicomTags.CodeValue, DicomVR.SH, "T-D3000");
        code.AddOrUpdate(DicomTags.CodingSchemeDesignator, DicomVR.SH, "SRT");
        code.AddOrUpdate(DicomTags.CodingSchemeUID, DicomVR.UI, "2.16.840.1.113883.6.96");
        input.AddOrUpdate(new DicomSequence(DicomTags.AnatomicRegionSequence, code));
        var ds = Pseudonymise("basic", input);
        Assert.Multiple(() =>
        {
            Assert.That(ds.Contains(DicomTags.PerformingPhysicianName) && ds.GetString(DicomTags.PerformingPhysicianName) == "Smith^John", Is.False);
            Assert.That(ds.GetString(DicomTags.SOPClassUID), Is.EqualTo("1.3.12.2.1107.5.9.1"), "a private SOP class is a kind, not an instance");
            Assert.That(ds.GetSequence(DicomTags.AnatomicRegionSequence)![0].GetString(DicomTags.CodingSchemeUID), Is.EqualTo("2.16.840.1.113883.6.96"));
        });
    }

    [Test]
    public void A_replacement_that_needs_utf8_does_not_garble_text_decoded_later()
    {
        var input = TestInstances.Ct();
        input.AddOrUpdate(DicomTags.PatientName, DicomVR.PN, "Müller^Jürgen");
        input.AddOrUpdate(DicomTags.StudyDescription, DicomVR.LO, "CT Jürgen Müller Kopf");
        var ds = Pseudonymise("""{ "name": "u", "extends": "research", "attributes": [ { "tag": "InstitutionName", "action": "replace", "value": "Klinik Łódź" } ] }""", input);
        Assert.Multiple(() =>
        {
            Assert.That(ds.GetString(DicomTags.SpecificCharacterSet), Is.EqualTo("ISO_IR 192"));
            Assert.That(ds.GetString(DicomTags.InstitutionName), Is.EqualTo("Klinik Łódź"));
            Assert.That(ds.GetString(DicomTags.StudyDescription), Is.EqualTo("CT *** *** Kopf"));
        });
    }

    [Test]
    public void The_built_in_research_profile_extends_the_built_in_basic_whatever_is_in_the_working_directory()
    {
        var directory = Directory.CreateTempSubdirectory("nodeagent-cwd-").FullName;
        var previous = Environment.CurrentDirectory;
        try
        {
            File.WriteAllText(Path.Combine(directory, "basic.json"), """{ "name": "basic", "options": ["RetainUids"] }""");
            Environment.CurrentDirectory = directory;
            Assert.That(PseudonymisationProfile.Load("research", [directory]).Options.HasFlag(Standard.ConfidentialityOption.RetainUids), Is.False);
        }
        finally
        {
            Environment.CurrentDirectory = previous;
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestCase("""{ "attributes": [ null ] }""", "attributes[0] is null")]
    [TestCase("""{ "options": [ null ] }""", "not an option name")]
    [TestCase("""{ "options": [ "1" ] }""", "not an option name")]
    [TestCase("""{ "privateCreators": [ null ] }""", "privateCreators[0] is null")]
    [TestCase("""{ "privateCreators": [ { "creator": "A", "offsets": [ null ], "action": "keep" } ] }""", "offset 'null'")]
    [TestCase("""{ "pixels": { "rules": [ null ] } }""", "pixels.rules[0] is null")]
    [TestCase("""{ "pixels": { "rules": [ { "rectangles": [ null ] } ] } }""", "rectangles need")]
    [TestCase("""{ "attributes": [ { "tag": "StationName", "action": "keep", "when": { "modality": [ null ] } } ] }""", "holds null")]
    [TestCase("""{ "attributes": [ { "tag": "StationName", "action": "keep", "when": { "sopClass": [ null ] } } ] }""", "sopClass holds null")]
    [TestCase("""{ "attributes": [ { "tag": "PatientAge", "action": "hash" } ] }""", "'hash' makes a 16-character pseudonym")]
    [TestCase("""{ "attributes": [ { "tag": "StudyTime", "action": "shift" } ] }""", "'shift' works on dates")]
    [TestCase("""{ "dateShift": { "minDays": -30, "maxDays": 30 } }""", "includes 0")]
    [TestCase("""{ "attributes": [ { "tag": "TransferSyntaxUID", "action": "keep" } ] }""", "file meta group")]
    [TestCase("""{ "attributes": [ { "tag": "SpecificCharacterSet", "action": "remove" } ] }""", "character set")]
    [TestCase("""{ "attributes": [ { "tag": "OverlayData", "action": "keep" } ] }""", "CleanGraphics")]
    public void Profile_entries_that_used_to_crash_or_pass_are_refused_by_name(string json, string message) =>
        Assert.That(() => PseudonymisationProfile.Parse(json, "site.json"), Throws.TypeOf<ProfileException>().With.Message.Contains(message));

    [Test]
    public void Uid_layout_names_outputs_by_the_new_uids_and_resumes()
    {
        var root = Directory.CreateTempSubdirectory("nodeagent-layout-").FullName;
        try
        {
            var input = Path.Combine(root, "in", "KOWALSKI_ANNA_PAT-778812");
            Directory.CreateDirectory(input);
            TestInstances.File(TestInstances.Ct(1)).Save(Path.Combine(input, "ACC99812.dcm"));
            var options = new PseudonymisationJobOptions(Path.Combine(root, "in"), Path.Combine(root, "out"), Path.Combine(root, "q")) { Layout = OutputLayout.Uids };
            var job = new PseudonymisationJob(new Pseudonymiser(PseudonymisationProfile.Load("basic"), Secret), options);
            Assert.That(job.Run().Done, Is.EqualTo(1));
            var generator = new PseudonymGenerator(Secret);
            var expected = Path.Combine(root, "out", generator.Uid(TestInstances.StudyUid), generator.Uid(TestInstances.SeriesUid), generator.Uid(TestInstances.SopUid(1)) + ".dcm");
            Assert.That(File.Exists(expected), Is.True);
            Assert.That(Directory.GetFiles(Path.Combine(root, "out"), "*", SearchOption.AllDirectories).Select(Path.GetFileName), Has.None.Contains("KOWALSKI").And.None.Contains("ACC99812"));
            Assert.That(job.Run().AlreadyDone, Is.EqualTo(1));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
