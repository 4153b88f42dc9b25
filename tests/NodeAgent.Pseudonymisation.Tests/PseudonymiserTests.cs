using System.Globalization;
using NodeAgent.Dicom;
using NodeAgent.Pseudonymisation.Keys;
using NodeAgent.Pseudonymisation.Profiles;

namespace NodeAgent.Pseudonymisation.Tests;

public sealed class PseudonymiserTests
{
    private static readonly SiteSecret Secret = SiteSecret.FromBytes(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());

    private static DicomFile Run(string profile, DicomDataset dataset, List<ExplainEntry>? explain = null)
    {
        var result = new Pseudonymiser(PseudonymisationProfile.Load(profile), Secret).Pseudonymise(TestInstances.File(dataset), explain);
        Assert.That(result.Quarantine, Is.Null, "the instance was quarantined");
        return TestInstances.RoundTrip(result.Output!);
    }

    [TestCase("basic")]
    [TestCase("research")]
    public void No_planted_identifier_survives_anywhere(string profile)
    {
        var output = Run(profile, TestInstances.Ct());
        var text = TestInstances.AllText(output);
        foreach (var planted in new[] { TestInstances.PatientId, "Kowalski", "Anna", "ACC99812", "Sainte-Anne", "Nowak", "Müller", "Straße", "OLD-1234", "Lefevre", "Muller Eva", "19510203", "SN-44120", "CTROOM3", "S4471", "1.2.826.0.1.3680043.8.498" })
        {
            Assert.That(text, Does.Not.Contain(planted), $"{planted} survived the {profile} profile");
        }
    }

    [Test]
    public void Basic_replaces_identifiers_by_keyed_pseudonyms_and_marks_the_instance()
    {
        var ds = Run("basic", TestInstances.Ct()).Dataset;
        var generator = new PseudonymGenerator(Secret);
        Assert.Multiple(() =>
        {
            Assert.That(ds.GetString(DicomTags.PatientID), Is.EqualTo(generator.Identifier("PatientID", TestInstances.PatientId)));
            Assert.That(ds.GetString(DicomTags.PatientName), Is.EqualTo(ds.GetString(DicomTags.PatientID)), "the name is the ID's pseudonym");
            Assert.That(ds.GetString(DicomTags.PatientBirthDate), Is.Empty, "Z");
            Assert.That(ds.Contains(DicomTags.PatientAddress), Is.False, "X");
            Assert.That(ds.Contains(DicomTags.OtherPatientIDsSequence), Is.False, "X");
            Assert.That(ds.GetString(DicomTags.StudyDate), Is.Empty, "Z");
            Assert.That(ds.GetString(DicomTags.SeriesDate), Is.EqualTo("19000101"), "X/D on a present value: a dummy");
            Assert.That(ds.GetString(DicomTags.SOPClassUID), Is.EqualTo(DicomUids.CTImageStorage), "registered UIDs stay");
            Assert.That(ds.GetString(DicomTags.StudyInstanceUID), Is.EqualTo(generator.Uid(TestInstances.StudyUid)));
            Assert.That(ds.GetString(DicomTags.FrameOfReferenceUID), Does.StartWith("2.25."));
            Assert.That(ds.GetString(DicomTags.SliceThickness), Is.EqualTo("1.25"), "not in Table E.1-1: kept");
            Assert.That(ds.GetString(DicomTags.PatientIdentityRemoved), Is.EqualTo("YES"));
            Assert.That(ds.GetString(DicomTags.DeidentificationMethod), Does.Contain("basic").And.Contain(Secret.KeyId));
            Assert.That(ds.GetSequence(DicomTags.DeidentificationMethodCodeSequence)!.Items.Select(i => i.GetString(DicomTags.CodeValue)), Is.EqualTo(new[] { "113100" }));
            Assert.That(ds.GetString(DicomTags.LongitudinalTemporalInformationModified), Is.EqualTo("REMOVED"));
            Assert.That(ds.Any(i => i.Tag.IsPrivate), Is.False, "private groups go without Retain Safe Private");
            Assert.That(ds.Any(i => i.Tag.Group is 0x6000 or 0x5000), Is.False, "overlay and curve groups go whole");
        });
    }

    [Test]
    public void Nested_attributes_follow_the_table_at_any_depth()
    {
        var profile = PseudonymisationProfile.Parse("""{ "name": "nested", "attributes": [ { "tag": "RequestAttributesSequence", "action": "keep" } ] }""");
        var result = new Pseudonymiser(profile, Secret).Pseudonymise(TestInstances.File(TestInstances.Ct()));
        var item = TestInstances.RoundTrip(result.Output!).Dataset.GetSequence(DicomTags.RequestAttributesSequence)![0];
        Assert.Multiple(() =>
        {
            Assert.That(item.Contains(DicomTags.RequestingPhysician), Is.False);
            Assert.That(item.GetString(DicomTags.AccessionNumber), Is.Empty);
            Assert.That(item.GetString(DicomTags.StudyInstanceUID), Is.EqualTo(new PseudonymGenerator(Secret).Uid(TestInstances.StudyUid)), "a nested reference maps like the top-level UID");
        });
    }

    [Test]
    public void Research_shifts_dates_per_patient_keeping_intervals_and_times()
    {
        var first = Run("research", TestInstances.Ct(1, studyDate: "20200314")).Dataset;
        var later = Run("research", TestInstances.Ct(2, studyDate: "20200401")).Dataset;
        var other = Run("research", TestInstances.Ct(3, patientId: "ANOTHER-1", studyDate: "20200314")).Dataset;
        var shift = first.GetDate(DicomTags.StudyDate)!.Value.DayNumber - new DateOnly(2020, 3, 14).DayNumber;
        Assert.Multiple(() =>
        {
            Assert.That(shift, Is.InRange(-1095, -1));
            Assert.That(later.GetDate(DicomTags.StudyDate)!.Value.DayNumber - first.GetDate(DicomTags.StudyDate)!.Value.DayNumber, Is.EqualTo(18), "the interval between studies is kept");
            Assert.That(first.GetString(DicomTags.StudyTime), Is.EqualTo("101500"));
            Assert.That(first.GetString(DicomTags.AcquisitionDateTime), Does.EndWith("101733.120000+0100").And.Not.StartWith("20200314"));
            Assert.That(first.GetString(DicomTags.AcquisitionDateTime)![..8], Is.EqualTo(first.GetString(DicomTags.StudyDate)));
            Assert.That(other.GetString(DicomTags.StudyDate), Is.Not.EqualTo(first.GetString(DicomTags.StudyDate)), "another patient, another shift (with this key)");
            Assert.That(first.GetString(DicomTags.LongitudinalTemporalInformationModified), Is.EqualTo("MODIFIED"));
            Assert.That(first.GetString(DicomTags.PatientSex), Is.EqualTo("F"), "patient characteristics kept");
            Assert.That(first.GetString(DicomTags.PatientAge), Is.EqualTo("069Y"));
            Assert.That(first.GetSequence(DicomTags.DeidentificationMethodCodeSequence)!.Items.Select(i => i.GetString(DicomTags.CodeValue)), Is.EquivalentTo(new[] { "113100", "113105", "113107", "113108", "113109", "113111" }));
        });
    }

    [Test]
    public void Research_keeps_safe_private_elements_at_any_depth_but_not_free_text_or_unsafe_ones()
    {
        var ds = Run("research", TestInstances.Ct()).Dataset;
        var block = ds.GetPrivateBlock(0x2001, "Philips Imaging DD 001");
        Assert.That(block, Is.Not.Null);
        var item = ds.GetSequence(block!.Tag(0x5F))![0];
        var inner = item.GetPrivateBlock(0x2001, "Philips Imaging DD 001")!;
        Assert.Multiple(() =>
        {
            Assert.That(ds.GetValue<float>(block.Tag(0x03)), Is.EqualTo(1000f));
            Assert.That(item.GetValue<float>(inner.Tag(0x32)), Is.EqualTo(0.5f));
            Assert.That(item.Contains(inner.Tag(0x90)), Is.False, "a name in a slot declared safe for a colour is removed");
            Assert.That(ds.GetPrivateBlock(0x0033, "GEMS_IDEN_PHI"), Is.Null, "an unsafe creator goes with its elements");
        });
    }

    [Test]
    public void Clean_descriptors_masks_the_instance_own_identifying_values_in_free_text()
    {
        var ds = Run("research", TestInstances.Ct()).Dataset;
        Assert.Multiple(() =>
        {
            Assert.That(ds.GetString(DicomTags.StudyDescription), Is.EqualTo("CT THORAX ***"));
            Assert.That(ds.GetString(DicomTags.ImageComments), Is.EqualTo("Pt. *** called back, Dr. *** informed"));
        });
    }

    [Test]
    public void Cleaning_an_age_reports_ages_over_89_as_90()
    {
        var profile = PseudonymisationProfile.Parse("""{ "name": "site", "extends": "research", "attributes": [ { "tag": "PatientAge", "action": "clean" } ] }""");
        var dataset = TestInstances.Ct();
        dataset.AddOrUpdate(DicomTags.PatientAge, DicomVR.AS, "093Y");
        Assert.That(new Pseudonymiser(profile, Secret).Pseudonymise(TestInstances.File(dataset)).Output!.Dataset.GetString(DicomTags.PatientAge), Is.EqualTo("090Y"));
        var again = TestInstances.Ct();
        again.AddOrUpdate(DicomTags.PatientAge, DicomVR.AS, "093Y");
        Assert.That(Run("research", again).Dataset.GetString(DicomTags.PatientAge), Is.EqualTo("093Y"), "Retain Patient Characteristics keeps the age (K)");
    }

    [Test]
    public void References_point_at_the_new_uids_of_their_sources()
    {
        var source = Run("basic", TestInstances.Ct(7)).Dataset;
        var seg = TestInstances.Ct(8);
        var reference = new DicomDataset();
        reference.AddOrUpdate(DicomTags.ReferencedSOPClassUID, DicomVR.UI, DicomUids.CTImageStorage);
        reference.AddOrUpdate(DicomTags.ReferencedSOPInstanceUID, DicomVR.UI, TestInstances.SopUid(7));
        var series = new DicomDataset();
        series.AddOrUpdate(DicomTags.SeriesInstanceUID, DicomVR.UI, TestInstances.SeriesUid);
        series.AddOrUpdate(new DicomSequence(DicomTags.ReferencedInstanceSequence, reference));
        seg.AddOrUpdate(new DicomSequence(DicomTags.ReferencedSeriesSequence, series));
        var output = Run("basic", seg).Dataset;
        var outSeries = output.GetSequence(DicomTags.ReferencedSeriesSequence)![0];
        Assert.Multiple(() =>
        {
            Assert.That(outSeries.GetSequence(DicomTags.ReferencedInstanceSequence)![0].GetString(DicomTags.ReferencedSOPInstanceUID), Is.EqualTo(source.GetString(DicomTags.SOPInstanceUID)));
            Assert.That(outSeries.GetString(DicomTags.SeriesInstanceUID), Is.EqualTo(source.GetString(DicomTags.SeriesInstanceUID)));
            Assert.That(outSeries.GetSequence(DicomTags.ReferencedInstanceSequence)![0].GetString(DicomTags.ReferencedSOPClassUID), Is.EqualTo(DicomUids.CTImageStorage));
        });
    }

    [Test]
    public void The_file_meta_names_the_new_instance_and_keeps_no_source_ae_title()
    {
        var input = TestInstances.File(TestInstances.Ct());
        input.FileMetaInformation.AddOrUpdate(DicomTags.SourceApplicationEntityTitle, DicomVR.AE, "HOSPITALPACS");
        var result = new Pseudonymiser(PseudonymisationProfile.Load("basic"), Secret).Pseudonymise(input);
        var output = TestInstances.RoundTrip(result.Output!);
        Assert.Multiple(() =>
        {
            Assert.That(output.FileMetaInformation.GetString(DicomTags.MediaStorageSOPInstanceUID), Is.EqualTo(output.Dataset.GetString(DicomTags.SOPInstanceUID)));
            Assert.That(output.FileMetaInformation.Contains(DicomTags.SourceApplicationEntityTitle), Is.False);
        });
    }

    [Test]
    public void Pixel_data_is_byte_identical_when_no_pixel_rule_applies()
    {
        var expected = TestInstances.Ct().GetElement(DicomTags.PixelData)!.GetBytes().ToArray();
        var output = Run("research", TestInstances.Ct());
        Assert.That(output.Dataset.GetElement(DicomTags.PixelData)!.GetBytes().ToArray(), Is.EqualTo(expected));
    }

    [Test]
    public void Replacement_values_are_encoded_in_the_instance_character_set()
    {
        var profile = PseudonymisationProfile.Parse("""{ "name": "site", "extends": "basic", "attributes": [ { "tag": "InstitutionName", "action": "replace", "value": "Forschungsstätte" } ] }""");
        var latin1 = new Pseudonymiser(profile, Secret).Pseudonymise(TestInstances.File(TestInstances.Ct())).Output!;
        Assert.That(latin1.Dataset.GetElement(DicomTags.InstitutionName)!.GetBytes().ToArray(), Does.Contain((byte)0xE4), "ä as ISO 8859-1");

        var greek = new DicomDataset();
        foreach (var item in TestInstances.Ct())
        {
            greek.AddOrUpdate(item);
        }

        var greekProfile = PseudonymisationProfile.Parse("""{ "name": "site", "extends": "basic", "attributes": [ { "tag": "InstitutionName", "action": "replace", "value": "Νοσοκομείο" }, { "tag": "StationName", "action": "keep" } ] }""");
        greek.AddOrUpdate(DicomTags.StationName, DicomVR.SH, "SALA Ñ");
        var upgraded = TestInstances.RoundTrip(new Pseudonymiser(greekProfile, Secret).Pseudonymise(TestInstances.File(greek)).Output!).Dataset;
        Assert.Multiple(() =>
        {
            Assert.That(upgraded.GetString(DicomTags.SpecificCharacterSet), Is.EqualTo("ISO_IR 192"), "Greek does not fit ISO_IR 100: the instance moves to UTF-8");
            Assert.That(upgraded.GetString(DicomTags.InstitutionName), Is.EqualTo("Νοσοκομείο"));
            Assert.That(upgraded.GetString(DicomTags.StationName), Is.EqualTo("SALA Ñ"), "other text is re-encoded, not garbled");
        });
    }

    [Test]
    public void Rules_apply_only_under_their_condition()
    {
        var profile = PseudonymisationProfile.Parse("""{ "name": "site", "extends": "basic", "attributes": [ { "tag": "StationName", "action": "keep", "when": { "modality": ["MR"] } } ] }""");
        var ct = new Pseudonymiser(profile, Secret).Pseudonymise(TestInstances.File(TestInstances.Ct())).Output!.Dataset;
        var mrInput = TestInstances.Ct();
        mrInput.AddOrUpdate(DicomTags.Modality, DicomVR.CS, "MR");
        var mr = new Pseudonymiser(profile, Secret).Pseudonymise(TestInstances.File(mrInput)).Output!.Dataset;
        Assert.Multiple(() =>
        {
            Assert.That(ct.GetString(DicomTags.StationName), Is.Not.EqualTo("CTROOM3"));
            Assert.That(mr.GetString(DicomTags.StationName), Is.EqualTo("CTROOM3"));
        });
    }

    [Test]
    public void Allow_list_mode_removes_what_no_rule_keeps_and_keeps_what_an_image_needs()
    {
        var profile = PseudonymisationProfile.Parse("""{ "name": "strict", "extends": "basic", "mode": "allow-list", "attributes": [ { "tag": "SliceThickness", "action": "keep" } ] }""");
        var input = TestInstances.Ct();
        input.AddOrUpdate(DicomTags.KVP, DicomVR.DS, "120");
        var ds = new Pseudonymiser(profile, Secret).Pseudonymise(TestInstances.File(input)).Output!.Dataset;
        Assert.Multiple(() =>
        {
            Assert.That(ds.Contains(DicomTags.KVP), Is.False);
            Assert.That(ds.GetString(DicomTags.SliceThickness), Is.EqualTo("1.25"));
            Assert.That(ds.Contains(DicomTags.PixelData) && ds.Contains(DicomTags.Rows) && ds.Contains(DicomTags.SOPClassUID) && ds.Contains(DicomTags.Modality), Is.True);
        });
    }

    [Test]
    public void Explain_lists_each_element_with_its_action_and_origin()
    {
        var entries = new List<ExplainEntry>();
        Run("research", TestInstances.Ct(), entries);
        var name = entries.Single(e => e.Path == "(0010,0010)");
        var birth = entries.Single(e => e.Path == "(0010,0030)");
        Assert.Multiple(() =>
        {
            Assert.That(name.Action, Is.EqualTo("hash (rule of basic)"));
            Assert.That(name.Before, Is.EqualTo(TestInstances.PatientName));
            Assert.That(birth.Action, Does.StartWith("empty (Z, basic profile)"));
            Assert.That(entries.Any(e => e.Path.StartsWith("(0008,1115)", StringComparison.Ordinal) || e.Path.Contains("].", StringComparison.Ordinal)), Is.True, "nested elements are listed with their path");
        });
    }

    [Test]
    public void Images_that_may_carry_burned_in_text_are_quarantined_without_a_pixel_rule()
    {
        var result = new Pseudonymiser(PseudonymisationProfile.Load("basic"), Secret).Pseudonymise(TestInstances.File(TestInstances.Ultrasound()));
        Assert.That(result.Quarantine!.Category, Is.EqualTo(QuarantineReason.BurnedInAnnotation));
        Assert.That(result.Quarantine.Message, Does.Contain("Burned In Annotation is YES").And.Contain("ACME").And.Not.Contain(TestInstances.PatientId));

        var ct = TestInstances.Ct();
        ct.AddOrUpdate(DicomTags.BurnedInAnnotation, DicomVR.CS, "YES");
        Assert.That(new Pseudonymiser(PseudonymisationProfile.Load("basic"), Secret).Pseudonymise(TestInstances.File(ct)).IsQuarantined, Is.True);
    }

    [Test]
    public void A_pixel_rule_blanks_its_rectangles_in_every_frame_and_nothing_else()
    {
        var profile = PseudonymisationProfile.Parse("""
            { "name": "us", "extends": "basic",
              "pixels": { "rules": [ { "manufacturer": "acme", "model": "Sono 5", "rows": 8, "columns": 10, "rectangles": [ { "x": 2, "y": 1, "width": 3, "height": 2 } ] } ] } }
            """);
        var result = new Pseudonymiser(profile, Secret).Pseudonymise(TestInstances.File(TestInstances.Ultrasound()));
        Assert.That(result.PixelsCleaned, Is.True);
        var ds = TestInstances.RoundTrip(result.Output!).Dataset;
        var pixels = ds.GetElement(DicomTags.PixelData)!.GetBytes().ToArray();
        for (var frame = 0; frame < 2; frame++)
        {
            for (var y = 0; y < 8; y++)
            {
                for (var x = 0; x < 10; x++)
                {
                    var blank = x is >= 2 and < 5 && y is >= 1 and < 3;
                    for (var sample = 0; sample < 3; sample++)
                    {
                        Assert.That(pixels[(frame * 240) + (((y * 10) + x) * 3) + sample], Is.EqualTo(blank ? 0 : 0xAA), $"frame {frame} ({x},{y})");
                    }
                }
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(ds.GetString(DicomTags.BurnedInAnnotation), Is.EqualTo("NO"));
            Assert.That(ds.GetSequence(DicomTags.DeidentificationMethodCodeSequence)!.Items.Select(i => i.GetString(DicomTags.CodeValue)), Does.Contain("113101"));
        });
    }

    [Test]
    public void A_pixel_rule_cannot_blank_compressed_pixel_data_so_the_image_is_quarantined()
    {
        var profile = PseudonymisationProfile.Parse("""{ "name": "us", "pixels": { "rules": [ { "manufacturer": "ACME", "rectangles": [ { "x": 0, "y": 0, "width": 1, "height": 1 } ] } ] } }""");
        var ds = TestInstances.Ultrasound();
        ds.AddOrUpdate(new DicomFragmentSequence(DicomTags.PixelData, DicomVR.OB, new DicomFragment(ReadOnlyMemory<byte>.Empty), new DicomFragment(new byte[] { 0xFF, 0xD8, 0xFF, 0xD9 })));
        var result = new Pseudonymiser(profile, Secret).Pseudonymise(new DicomFile(ds, DicomTransferSyntax.FromUid(DicomUids.JPEGBaseline8Bit)));
        Assert.That(result.Quarantine?.Message, Does.Contain("compressed"));
    }

    [Test]
    public void A_site_that_checked_its_images_can_let_them_through_unchanged()
    {
        var profile = PseudonymisationProfile.Parse("""{ "name": "trusting", "extends": "basic", "pixels": { "burnedIn": "keep" } }""");
        var result = new Pseudonymiser(profile, Secret).Pseudonymise(TestInstances.File(TestInstances.Ultrasound()));
        Assert.That(result.Output!.Dataset.GetElement(DicomTags.PixelData)!.GetBytes().ToArray(), Is.All.EqualTo(0xAA));
    }

    [Test]
    public void Instances_without_identity_and_dicomdirs_are_quarantined_as_unsupported()
    {
        var bare = new DicomDataset();
        bare.AddOrUpdate(DicomTags.PatientID, DicomVR.LO, "X");
        Assert.That(new Pseudonymiser(PseudonymisationProfile.Load("basic"), Secret).Pseudonymise(TestInstances.File(bare)).Quarantine!.Category, Is.EqualTo(QuarantineReason.Unsupported));
    }

    [Test]
    public void The_same_key_gives_the_same_output_and_another_key_a_different_one()
    {
        var a = Run("basic", TestInstances.Ct()).Dataset.GetString(DicomTags.SOPInstanceUID);
        var b = Run("basic", TestInstances.Ct()).Dataset.GetString(DicomTags.SOPInstanceUID);
        var other = new Pseudonymiser(PseudonymisationProfile.Load("basic"), SiteSecret.CreateEphemeral()).Pseudonymise(TestInstances.File(TestInstances.Ct())).Output!.Dataset.GetString(DicomTags.SOPInstanceUID);
        Assert.Multiple(() =>
        {
            Assert.That(b, Is.EqualTo(a));
            Assert.That(other, Is.Not.EqualTo(a));
            Assert.That(a!.Length, Is.LessThanOrEqualTo(64));
        });
    }

    [Test]
    public void Dates_outside_the_table_are_handled_by_their_vr()
    {
        var input = TestInstances.Ct();
        input.AddOrUpdate(DicomTags.ExpiryDate, DicomVR.DA, "20200101");
        var basic = Run("basic", input).Dataset;
        Assert.That(basic.GetString(DicomTags.ExpiryDate), Is.Not.EqualTo("20200101"));
        input = TestInstances.Ct();
        input.AddOrUpdate(new DicomTag(0x0018, 0x9073), DicomVR.FD, BitConverter.GetBytes(1.5));
        Assert.That(Run("basic", input).Dataset.Contains(new DicomTag(0x0018, 0x9073)), Is.True, "a number outside the table is kept");
        input = TestInstances.Ct();
        input.AddOrUpdate(new DicomElement(DicomTags.ExpiryDate, DicomVR.UN, "20200101"u8.ToArray()));
        Assert.That(Run("basic", input).Dataset.Contains(DicomTags.ExpiryDate), Is.False, "a date hidden as UN goes");
        _ = CultureInfo.InvariantCulture;
    }
}
