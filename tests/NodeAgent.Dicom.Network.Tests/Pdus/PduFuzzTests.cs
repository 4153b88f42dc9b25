using NodeAgent.Fuzzing;

namespace NodeAgent.Dicom.Network.Tests.Pdus;

/// <summary>
/// The fast PDU fuzz pass of the CI: mutated PDUs decode or fail with a typed error, nothing else
/// (fixed seeds: failures reproduce). The long run is
/// <c>dotnet run -c Release --project tests/NodeAgent.Fuzzing -- --target pdu --minutes 30</c>.
/// </summary>
public class PduFuzzTests
{
    [TestCase(1)]
    [TestCase(2)]
    public void Mutated_PDUs_never_raise_anything_but_a_format_error(int seed)
    {
        var campaign = new FuzzCampaign(PduFuzzTarget.Seeds(), new PduFuzzTarget().Run, seed);

        var findings = campaign.Run(20_000, TimeSpan.FromMinutes(2));

        Assert.That(campaign.Iterations, Is.EqualTo(20_000));
        Assert.That(findings.Select(f => $"{f.Kind}: {f.Detail.Split('\n')[0]} for {Convert.ToHexString(f.Input)}").Take(5), Is.Empty);
    }
}
