using NodeAgent.Dicom;
using NodeAgent.Dicom.IO;
using NodeAgent.Fuzzing;
using NodeAgent.Pseudonymisation.Keys;
using NodeAgent.Pseudonymisation.Profiles;

namespace NodeAgent.Pseudonymisation.Tests;

/// <summary>
/// Mutated instances through the reader and the pseudonymiser: every input ends as an output or a
/// quarantine reason (a <see cref="DicomException"/> from the reader counts as one); nothing else escapes.
/// </summary>
public sealed class PseudonymiserFuzzTests
{
    [TestCase("basic", 11)]
    [TestCase("research", 12)]
    public void Mutated_instances_are_pseudonymised_or_quarantined_never_crash(string profileName, int seed)
    {
        var pseudonymiser = new Pseudonymiser(PseudonymisationProfile.Load(profileName), SiteSecret.FromBytes(new byte[32]));
        using var seedStream = new MemoryStream();
        TestInstances.File(TestInstances.Ct()).Write(seedStream, new DicomWriteOptions { FlushToDisk = false });
        var seedBytes = seedStream.ToArray();
        var mutator = new Mutator(new Random(seed));
        var (outputs, quarantined) = (0, 0);
        for (var i = 0; i < 1500; i++)
        {
            var input = mutator.Mutate(seedBytes);
            DicomFile file;
            try
            {
                file = DicomFile.Read(new MemoryStream(input), new DicomReadOptions { MaxInMemoryValueBytes = 1 << 24 });
            }
            catch (DicomException)
            {
                quarantined++;
                continue;
            }

            using (file)
            {
                var result = pseudonymiser.Pseudonymise(file);
                if (result.Output is { } output)
                {
                    output.Write(Stream.Null, new DicomWriteOptions { FlushToDisk = false });
                    outputs++;
                }
                else
                {
                    Assert.That(result.Quarantine!.Message, Is.Not.Empty);
                    quarantined++;
                }
            }
        }

        Assert.That(outputs, Is.GreaterThan(100), "the mutations still reach the engine");
        Assert.That(quarantined, Is.GreaterThan(0));
    }
}

/// <summary>Mutated profile files: each is a profile or a <see cref="Profiles.ProfileException"/> naming the problem, never another exception.</summary>
public sealed class ProfileFuzzTests
{
    [Test]
    public void Mutated_profiles_load_or_fail_with_a_profile_error()
    {
        var seed = System.Text.Encoding.UTF8.GetBytes("""
            { "name": "site", "extends": "research", "options": ["RetainInstitutionIdentity"], "mode": "allow-list",
              "dateShift": { "minDays": -30, "maxDays": -1 },
              "attributes": [ { "tag": "StationName", "action": "keep", "when": { "modality": ["CT"], "sopClass": ["CTImageStorage"] } },
                              { "tag": "InstitutionName", "action": "replace", "value": "Site 7" },
                              { "tag": "PatientName", "action": "hash", "source": "PatientID" } ],
              "privateCreators": [ { "creator": "ACME 1", "group": "0019", "offsets": ["10", "xx11"], "action": "keep" } ],
              "pixels": { "burnedIn": "quarantine", "rules": [ { "manufacturer": "ACME", "rows": 480, "columns": 640, "rectangles": [ { "x": 0, "y": 0, "width": 640, "height": 40 } ] } ] } }
            """);
        var mutator = new Mutator(new Random(5));
        var (loaded, refused) = (0, 0);
        for (var i = 0; i < 3000; i++)
        {
            var text = System.Text.Encoding.UTF8.GetString(mutator.Mutate(seed));
            try
            {
                Profiles.PseudonymisationProfile.Parse(text, "fuzz.json");
                loaded++;
            }
            catch (Profiles.ProfileException e)
            {
                Assert.That(e.Errors, Is.Not.Empty);
                refused++;
            }
        }

        Assert.That(refused, Is.GreaterThan(0));
        Assert.That(loaded + refused, Is.EqualTo(3000));
    }
}
