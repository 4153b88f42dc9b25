using System.Text;
using NodeAgent.Pseudonymisation.Keys;
using NodeAgent.Pseudonymisation.Profiles;
using NodeAgent.Pseudonymisation.ReIdentification;

namespace NodeAgent.Pseudonymisation.Tests;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
[Platform(Exclude = "Win", Reason = "Unix file modes")]
public sealed class ReIdentificationStoreTests
{
    private static readonly SiteSecret Key = SiteSecret.FromBytes(Enumerable.Repeat((byte)7, 32).ToArray());
    private string _path = null!;

    [SetUp]
    public void ChoosePath() => _path = Path.Combine(Directory.CreateTempSubdirectory("nodeagent-reid-").FullName, "reid.store");

    [TearDown]
    public void Delete() => Directory.Delete(Path.GetDirectoryName(_path)!, recursive: true);

    [Test]
    public void Pseudonymisation_records_its_mappings_encrypted_and_only_once()
    {
        var secret = SiteSecret.FromBytes(new byte[32]);
        using (var store = ReIdentificationStore.Open(_path, Key))
        {
            var pseudonymiser = new Pseudonymiser(PseudonymisationProfile.Load("research"), secret, store);
            pseudonymiser.Pseudonymise(TestInstances.File(TestInstances.Ct(1)));
            pseudonymiser.Pseudonymise(TestInstances.File(TestInstances.Ct(2)));
        }

        var records = ReIdentificationStore.Read(_path, Key).ToList();
        var generator = new PseudonymGenerator(secret);
        Assert.Multiple(() =>
        {
            Assert.That(records, Has.One.EqualTo(new ReIdentificationRecord("PatientID", TestInstances.PatientId, generator.Identifier("PatientID", TestInstances.PatientId))));
            Assert.That(records, Has.One.EqualTo(new ReIdentificationRecord("StudyInstanceUID", TestInstances.StudyUid, generator.Uid(TestInstances.StudyUid))));
            Assert.That(records.Count(r => r.Kind == "DateShiftDays"), Is.EqualTo(1));
            Assert.That(File.ReadAllText(_path, Encoding.Latin1), Does.Not.Contain(TestInstances.PatientId).And.Not.Contain("PatientID"));
            Assert.That(File.GetUnixFileMode(_path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        });
    }

    [Test]
    public void An_altered_line_or_another_key_is_detected()
    {
        using (var store = ReIdentificationStore.Open(_path, Key))
        {
            store.Record("PatientID", "12345", "ABCDEF");
        }

        Assert.That(() => ReIdentificationStore.Read(_path, SiteSecret.FromBytes(new byte[32])).ToList(), Throws.TypeOf<InvalidDataException>().With.Message.Contains("another key"));
        var line = File.ReadAllText(_path).Trim();
        var bytes = Convert.FromBase64String(line);
        bytes[^1] ^= 1;
        File.WriteAllText(_path, Convert.ToBase64String(bytes) + "\n");
        Assert.That(() => ReIdentificationStore.Read(_path, Key).ToList(), Throws.TypeOf<InvalidDataException>().With.Message.Contains("line 1 was altered"));
    }
}
