using NodeAgent.Dicom.Network.Pdus;

namespace NodeAgent.Dicom.Network.Tests.Pdus;

/// <summary>Mutated PDUs decode or fail with <see cref="PduFormatException"/>, nothing else (fixed seed: failures reproduce).</summary>
public class PduFuzzTests
{
    private static byte[][] Seeds() =>
    [
        PduCodec.Encode(new AssociateRequestPdu("ORTHANC", "NODEAGENT",
            [new PresentationContextProposal(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian]), new PresentationContextProposal(3, DicomUids.CTImageStorage, [DicomUids.ExplicitVRLittleEndian, DicomUids.JPEGBaseline8Bit])],
            new UserInformation { RoleSelections = [new RoleSelection(DicomUids.CTImageStorage, false, true)], UserIdentity = UserIdentityRequest.UsernamePasscode("u", "p") })),
        PduCodec.Encode(new AssociateAcceptPdu("A", "B", [new PresentationContextResult(1, PresentationContextResultCode.Acceptance, DicomUids.ImplicitVRLittleEndian)], new UserInformation())),
        PduCodec.Encode(new DataTransferPdu([new PresentationDataValue(1, true, true, new byte[40]), new PresentationDataValue(1, false, false, new byte[7])])),
        PduCodec.Encode(new AssociateRejectPdu(AssociateRejectResult.Transient, AssociateRejectSource.ServiceProviderPresentation, 2)),
        PduCodec.Encode(new AbortPdu(AbortSource.ServiceProvider, AbortReason.UnexpectedPdu)),
    ];

    [TestCase(1)]
    [TestCase(2)]
    public void Mutated_PDUs_never_raise_anything_but_a_format_error(int seed)
    {
        var random = new Random(seed);
        var seeds = Seeds();
        var unexpected = new List<string>();
        for (var i = 0; i < 20_000; i++)
        {
            var input = Mutate(seeds[random.Next(seeds.Length)], random);
            try
            {
                PduCodec.Decode(input);
            }
            catch (PduFormatException)
            {
            }
            catch (Exception ex)
            {
                unexpected.Add($"{ex.GetType().Name}: {ex.Message} for {Convert.ToHexString(input)}");
            }
        }

        Assert.That(unexpected.Take(5), Is.Empty);
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var data = seed.ToArray();
        var rounds = 1 + random.Next(4);
        for (var r = 0; r < rounds; r++)
        {
            var at = random.Next(data.Length);
            switch (random.Next(4))
            {
                case 0:
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    data[at] = (byte)random.Next(256);
                    break;
                case 2 when data.Length > 7:
                    // Keep the header's length consistent half of the time, so the body parser is reached.
                    var cut = random.Next(6, data.Length);
                    data = data[..cut];
                    System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(2), (uint)(data.Length - 6));
                    break;
                default:
                    data[at] = 0xFF;
                    break;
            }
        }

        return data;
    }
}
