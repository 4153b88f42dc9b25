using System.Buffers.Binary;
using System.Diagnostics;
using NodeAgent.Dicom;
using NodeAgent.Dicom.Network.Pdus;

namespace NodeAgent.Fuzzing;

/// <summary>
/// Feeds one input to the PDU decoder, also with its length field corrected (most mutations break
/// it, and the body parsers are only reached when it holds), and to the PDU reader (as a byte stream
/// that may hold several PDUs). Allowed: PDUs, a <see cref="PduFormatException"/> from the decoder,
/// a <see cref="DicomException"/> from the reader. Anything else is a finding.
/// </summary>
public sealed class PduFuzzTarget
{
    public FuzzFinding? Run(byte[] input)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            Decode(input);
            if (input.Length >= 6)
            {
                var consistent = input.ToArray();
                BinaryPrimitives.WriteUInt32BigEndian(consistent.AsSpan(2), (uint)(consistent.Length - 6));
                Decode(consistent);
            }

            using var reader = new PduReader(new MemoryStream(input, writable: false), 64 * 1024);
            while (reader.ReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult() is not null)
            {
            }
        }
        catch (DicomException)
        {
            // The contract: malformed PDUs are a typed error.
        }
        catch (Exception ex)
        {
            return new FuzzFinding("exception", $"{ex.GetType().FullName}: {ex.Message}\n{ex.StackTrace}", input);
        }

        return watch.Elapsed > TimeSpan.FromSeconds(10) ? new FuzzFinding("slow", $"{watch.Elapsed.TotalMilliseconds:F0} ms", input) : null;
    }

    private static void Decode(byte[] input)
    {
        try
        {
            PduCodec.Decode(input);
        }
        catch (PduFormatException)
        {
            // The decoder's contract: a malformed PDU is this one typed error.
        }
    }

    /// <summary>Valid PDUs of every type to mutate.</summary>
    public static List<byte[]> Seeds() =>
    [
        PduCodec.Encode(new AssociateRequestPdu("ORTHANC", "NODEAGENT",
            [new PresentationContextProposal(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian]), new PresentationContextProposal(3, DicomUids.CTImageStorage, [DicomUids.ExplicitVRLittleEndian, DicomUids.JPEGBaseline8Bit])],
            new UserInformation
            {
                MaxOperationsInvoked = 1,
                RoleSelections = [new RoleSelection(DicomUids.CTImageStorage, false, true)],
                ExtendedNegotiations = [new ExtendedNegotiation(DicomUids.StudyRootQueryRetrieveInformationModelFind, new byte[] { 1, 1, 1 })],
                UserIdentity = UserIdentityRequest.UsernamePasscode("user", "pass"),
            })),
        PduCodec.Encode(new AssociateAcceptPdu("A", "B", [new PresentationContextResult(1, PresentationContextResultCode.Acceptance, DicomUids.ImplicitVRLittleEndian)], new UserInformation { UserIdentityServerResponse = new byte[] { 1 } })),
        [.. PduCodec.Encode(new DataTransferPdu([new PresentationDataValue(1, true, true, new byte[40])])), .. PduCodec.Encode(new ReleaseRequestPdu())],
        PduCodec.Encode(new AssociateRejectPdu(AssociateRejectResult.Permanent, AssociateRejectSource.ServiceUser, 3)),
        PduCodec.Encode(new AbortPdu(AbortSource.ServiceProvider, AbortReason.UnexpectedPdu)),
    ];
}
