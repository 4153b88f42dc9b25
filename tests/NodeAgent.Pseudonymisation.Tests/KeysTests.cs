using System.Numerics;
using NodeAgent.Pseudonymisation.Keys;

namespace NodeAgent.Pseudonymisation.Tests;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
[Platform(Exclude = "Win", Reason = "Unix file modes")]
public sealed class KeysTests
{
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("nodeagent-keys-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Uids_are_2_25_decimals_of_128_bits_stable_per_key()
    {
        var generator = new PseudonymGenerator(SiteSecret.FromBytes(new byte[32]));
        var uid = generator.Uid("1.2.3.4");
        Assert.Multiple(() =>
        {
            Assert.That(uid, Does.Match(@"^2\.25\.[1-9][0-9]*$"));
            Assert.That(BigInteger.Parse(uid[5..], System.Globalization.CultureInfo.InvariantCulture), Is.LessThan(BigInteger.One << 128));
            Assert.That(uid.Length, Is.LessThanOrEqualTo(64));
            Assert.That(generator.Uid("1.2.3.4"), Is.EqualTo(uid));
            Assert.That(generator.Uid("1.2.3.5"), Is.Not.EqualTo(uid));
            Assert.That(new PseudonymGenerator(SiteSecret.FromBytes(Enumerable.Repeat((byte)1, 32).ToArray())).Uid("1.2.3.4"), Is.Not.EqualTo(uid));
        });
    }

    [Test]
    public void Identifiers_are_16_characters_of_crockford_base32_and_domain_separated()
    {
        var generator = new PseudonymGenerator(SiteSecret.FromBytes(new byte[32]));
        var id = generator.Identifier("PatientID", "12345");
        Assert.Multiple(() =>
        {
            Assert.That(id, Does.Match("^[0-9A-HJKMNP-TV-Z]{16}$"));
            Assert.That(generator.Identifier("AccessionNumber", "12345"), Is.Not.EqualTo(id));
            Assert.That(generator.Identifier("PatientID", "12345"), Is.EqualTo(id));
        });
    }

    [Test]
    public void Date_shifts_stay_in_range_and_spread_over_it()
    {
        var generator = new PseudonymGenerator(SiteSecret.FromBytes(new byte[32]));
        var shifts = Enumerable.Range(0, 2000).Select(i => generator.DateShiftDays("patient" + i, -30, -1)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(shifts, Is.All.InRange(-30, -1));
            Assert.That(shifts.Distinct().Count(), Is.EqualTo(30), "every day of the range is used");
            Assert.That(generator.DateShiftDays("patient7", -30, -1), Is.EqualTo(shifts[7]));
        });
    }

    [Test]
    public void A_secret_file_must_be_long_enough_and_private()
    {
        var path = Path.Combine(_directory, "short.secret");
        File.WriteAllBytes(path, new byte[16]);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.That(() => SiteSecret.Load(path), Throws.TypeOf<SiteSecretException>().With.Message.Contains("at least 32"));

        File.WriteAllBytes(path, new byte[32]);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        Assert.That(() => SiteSecret.Load(path), Throws.TypeOf<SiteSecretException>().With.Message.Contains("chmod 600"));
        Assert.That(() => SiteSecret.Load(Path.Combine(_directory, "missing")), Throws.TypeOf<SiteSecretException>().With.Message.Contains("head -c 32 /dev/urandom"));
    }

    [Test]
    public void A_created_secret_is_random_private_and_loaded_again_unchanged()
    {
        var path = Path.Combine(_directory, "dev", "dev.secret");
        var created = SiteSecret.CreateOrLoad(path);
        Assert.Multiple(() =>
        {
            Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            Assert.That(new FileInfo(path).Length, Is.EqualTo(32));
            Assert.That(SiteSecret.CreateOrLoad(path).KeyId, Is.EqualTo(created.KeyId));
            Assert.That(created.KeyId, Does.Match("^[0-9a-f]{8}$"));
        });
    }
}
