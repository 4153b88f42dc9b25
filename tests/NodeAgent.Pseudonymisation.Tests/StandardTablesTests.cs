using NodeAgent.Dicom;
using NodeAgent.Pseudonymisation.Standard;

namespace NodeAgent.Pseudonymisation.Tests;

public sealed class StandardTablesTests
{
    private static ConfidentialityProfileTable Table => ConfidentialityProfileTable.Standard;

    [Test]
    public void Table_E_1_1_is_read_whole_with_its_special_rows()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Table.Rules, Has.Count.EqualTo(621));
            Assert.That(Table.Find(new DicomTag(0x6002, 0x3000)), Is.SameAs(Table.OverlayData));
            Assert.That(Table.Find(new DicomTag(0x601E, 0x4000)), Is.SameAs(Table.OverlayComments));
            Assert.That(Table.Find(new DicomTag(0x6000, 0x0010)), Is.Null, "overlay rows and columns are not listed themselves");
            Assert.That(Table.Find(new DicomTag(0x5004, 0x0010)), Is.SameAs(Table.CurveData));
            Assert.That(Table.Find(new DicomTag(0x0029, 0x1010)), Is.SameAs(Table.PrivateAttributes));
            Assert.That(Table.Find(DicomTags.SliceThickness), Is.Null);
        });
    }

    [TestCase(0x00100010u, ConfidentialityOption.None, ConfidentialityAction.Zero)]
    [TestCase(0x00100020u, ConfidentialityOption.None, ConfidentialityAction.Zero | ConfidentialityAction.Dummy)]
    [TestCase(0x0020000Du, ConfidentialityOption.None, ConfidentialityAction.Uid)]
    [TestCase(0x0020000Du, ConfidentialityOption.RetainUids, ConfidentialityAction.Keep)]
    [TestCase(0x00080020u, ConfidentialityOption.RetainLongitudinalTemporalInformationModifiedDates, ConfidentialityAction.Clean)]
    [TestCase(0x00080020u, ConfidentialityOption.RetainLongitudinalTemporalInformationFullDates, ConfidentialityAction.Keep)]
    [TestCase(0x00181000u, ConfidentialityOption.RetainDeviceIdentity, ConfidentialityAction.Keep)]
    [TestCase(0x00080080u, ConfidentialityOption.RetainInstitutionIdentity, ConfidentialityAction.Keep)]
    [TestCase(0x00101010u, ConfidentialityOption.RetainPatientCharacteristics, ConfidentialityAction.Keep)]
    [TestCase(0x00081030u, ConfidentialityOption.CleanDescriptors, ConfidentialityAction.Clean)]
    [TestCase(0x00081140u, ConfidentialityOption.None, ConfidentialityAction.Remove | ConfidentialityAction.Zero | ConfidentialityAction.Uid)]
    public void Actions_follow_the_options_as_the_table_says(uint tag, ConfidentialityOption options, ConfidentialityAction expected) =>
        Assert.That(Table.Find(new DicomTag(tag))!.ActionFor(options), Is.EqualTo(expected));

    [Test]
    public void Private_attributes_are_removed_unless_safe_private_is_retained() =>
        Assert.Multiple(() =>
        {
            Assert.That(Table.PrivateAttributes.ActionFor(ConfidentialityOption.None), Is.EqualTo(ConfidentialityAction.Remove));
            Assert.That(Table.PrivateAttributes.ActionFor(ConfidentialityOption.RetainSafePrivate), Is.EqualTo(ConfidentialityAction.Clean));
        });

    [Test]
    public void Safe_private_attributes_match_by_group_creator_and_offset_never_block()
    {
        var safe = SafePrivateAttributes.Standard;
        Assert.Multiple(() =>
        {
            Assert.That(safe.Count, Is.InRange(470, 479));
            Assert.That(safe.Creators, Has.Count.EqualTo(20));
            Assert.That(safe.IsSafe(0x2001, "Philips Imaging DD 001", 0x03), Is.True);
            Assert.That(safe.IsSafe(0x2001, "Philips Imaging DD 001 ", 0x03), Is.True, "creator padding is ignored");
            Assert.That(safe.IsSafe(0x2003, "Philips Imaging DD 001", 0x03), Is.False, "another group");
            Assert.That(safe.IsSafe(0x0033, "GEMS_IDEN_PHI", 0x10), Is.False);
            Assert.That(safe.IsSafe(0x0043, "GEMS_PARM_01", 0x27), Is.True);
        });
    }

    [TestCase("X/Z/D", ConfidentialityAction.Remove | ConfidentialityAction.Zero | ConfidentialityAction.Dummy)]
    [TestCase("X/Z/U*", ConfidentialityAction.Remove | ConfidentialityAction.Zero | ConfidentialityAction.Uid)]
    [TestCase("K", ConfidentialityAction.Keep)]
    public void Action_codes_parse_and_format_back(string code, ConfidentialityAction expected)
    {
        Assert.That(ConfidentialityActionCodes.Parse(code), Is.EqualTo(expected));
        Assert.That(ConfidentialityActionCodes.Format(expected), Is.EqualTo(code.TrimEnd('*')));
    }

    [Test]
    public void An_unknown_action_code_is_refused() =>
        Assert.That(() => ConfidentialityActionCodes.Parse("X/Q"), Throws.TypeOf<FormatException>().With.Message.Contains("X/Q"));
}
