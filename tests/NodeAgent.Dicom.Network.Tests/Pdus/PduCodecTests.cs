using NodeAgent.Dicom.Network.Pdus;

namespace NodeAgent.Dicom.Network.Tests.Pdus;

public class PduCodecTests
{
    [Test]
    public void An_association_request_survives_encoding_with_every_user_information_item()
    {
        var request = new AssociateRequestPdu("ORTHANC", "NODEAGENT",
        [
            new PresentationContextProposal(1, DicomUids.Verification, [DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian]),
            new PresentationContextProposal(3, DicomUids.CTImageStorage, [DicomUids.JPEGBaseline8Bit]),
        ],
        new UserInformation
        {
            MaxPduLength = 65536,
            MaxOperationsInvoked = 1,
            MaxOperationsPerformed = 1,
            RoleSelections = [new RoleSelection(DicomUids.CTImageStorage, ScuRole: false, ScpRole: true)],
            ExtendedNegotiations = [new ExtendedNegotiation(DicomUids.StudyRootQueryRetrieveInformationModelFind, new byte[] { 1, 0, 1 })],
            UserIdentity = UserIdentityRequest.UsernamePasscode("site-it", "s3cret", positiveResponseRequested: true),
        });

        var decoded = (AssociateRequestPdu)PduCodec.Decode(PduCodec.Encode(request));

        Assert.That(decoded.CalledAeTitle, Is.EqualTo("ORTHANC"));
        Assert.That(decoded.CallingAeTitle, Is.EqualTo("NODEAGENT"));
        Assert.That(decoded.ApplicationContextName, Is.EqualTo(AssociateRequestPdu.DicomApplicationContext));
        Assert.That(decoded.PresentationContexts.Select(p => (p.Id, p.AbstractSyntax, string.Join(',', p.TransferSyntaxes))),
            Is.EqualTo(request.PresentationContexts.Select(p => (p.Id, p.AbstractSyntax, string.Join(',', p.TransferSyntaxes)))));
        var user = decoded.UserInformation;
        Assert.That(user.MaxPduLength, Is.EqualTo(65536));
        Assert.That(user.ImplementationClassUid, Is.EqualTo(DicomImplementation.ClassUid));
        Assert.That(user.ImplementationVersionName, Is.EqualTo(DicomImplementation.VersionName));
        Assert.That((user.MaxOperationsInvoked, user.MaxOperationsPerformed), Is.EqualTo(((ushort?)1, (ushort?)1)));
        Assert.That(user.RoleSelections.Single(), Is.EqualTo(request.UserInformation.RoleSelections[0]));
        Assert.That(user.ExtendedNegotiations.Single().ServiceClassApplicationInformation.ToArray(), Is.EqualTo(new byte[] { 1, 0, 1 }));
        Assert.That(user.UserIdentity!.IdentityType, Is.EqualTo(UserIdentityType.UsernameAndPasscode));
        Assert.That(System.Text.Encoding.UTF8.GetString(user.UserIdentity.SecondaryField.Span), Is.EqualTo("s3cret"));
        Assert.That(user.UserIdentity.ToString(), Does.Not.Contain("s3cret"), "credentials never printed");
    }

    [Test]
    public void An_association_accept_survives_encoding()
    {
        var accept = new AssociateAcceptPdu("ORTHANC", "NODEAGENT",
            [new PresentationContextResult(1, PresentationContextResultCode.Acceptance, DicomUids.ExplicitVRLittleEndian), new PresentationContextResult(3, PresentationContextResultCode.AbstractSyntaxNotSupported, DicomUids.ImplicitVRLittleEndian)],
            new UserInformation { MaxPduLength = 16384, UserIdentityServerResponse = new byte[] { 7, 7 } });

        var decoded = (AssociateAcceptPdu)PduCodec.Decode(PduCodec.Encode(accept));

        Assert.That(decoded.PresentationContexts, Is.EqualTo(accept.PresentationContexts));
        Assert.That(decoded.UserInformation.MaxPduLength, Is.EqualTo(16384));
        Assert.That(decoded.UserInformation.UserIdentityServerResponse!.Value.ToArray(), Is.EqualTo(new byte[] { 7, 7 }));
    }

    [Test]
    public void Reject_abort_and_release_have_their_exact_wire_bytes()
    {
        Assert.That(PduCodec.Encode(new AssociateRejectPdu(AssociateRejectResult.Permanent, AssociateRejectSource.ServiceUser, 3)),
            Is.EqualTo(new byte[] { 0x03, 0, 0, 0, 0, 4, 0, 1, 1, 3 }));
        Assert.That(PduCodec.Encode(new AbortPdu(AbortSource.ServiceProvider, AbortReason.UnexpectedPdu)),
            Is.EqualTo(new byte[] { 0x07, 0, 0, 0, 0, 4, 0, 0, 2, 2 }));
        Assert.That(PduCodec.Encode(new ReleaseRequestPdu()), Is.EqualTo(new byte[] { 0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0 }));
        Assert.That(PduCodec.Decode(new byte[] { 0x06, 0, 0, 0, 0, 4, 0, 0, 0, 0 }), Is.InstanceOf<ReleaseResponsePdu>());
    }

    [Test]
    public void A_data_transfer_carries_several_values_with_their_flags()
    {
        var pdu = new DataTransferPdu([new PresentationDataValue(1, true, true, new byte[] { 1, 2 }), new PresentationDataValue(3, false, false, new byte[] { 3 })]);

        var decoded = (DataTransferPdu)PduCodec.Decode(PduCodec.Encode(pdu));

        Assert.That(decoded.Values.Select(v => (v.PresentationContextId, v.IsCommand, v.IsLastFragment, v.Data.ToArray())),
            Is.EqualTo(new[] { ((byte)1, true, true, new byte[] { 1, 2 }), ((byte)3, false, false, new byte[] { 3 }) }));
    }

    [TestCase(new byte[] { 0x09, 0, 0, 0, 0, 0 }, TestName = "An unknown PDU type")]
    [TestCase(new byte[] { 0x04, 0, 0, 0, 0, 8, 0, 0, 0, 9, 1, 3, 0, 0 }, TestName = "A PDV longer than its PDU")]
    [TestCase(new byte[] { 0x04, 0, 0, 0, 0, 6, 0, 0, 0, 2, 2, 3 }, TestName = "An even presentation context ID")]
    [TestCase(new byte[] { 0x04, 0, 0, 0, 0, 0 }, TestName = "A P-DATA-TF without PDVs")]
    [TestCase(new byte[] { 0x05, 0, 0, 0, 0, 2, 0, 0 }, TestName = "A short release request")]
    [TestCase(new byte[] { 0x01, 0, 0, 0, 0, 10, 0, 1, 0, 0, 65, 65, 65, 65, 65, 65 }, TestName = "A truncated association request")]
    public void Malformed_PDUs_are_refused_with_a_typed_error(byte[] bytes)
    {
        Assert.Throws<PduFormatException>(() => PduCodec.Decode(bytes));
    }

    [TestCase((byte)1, (byte)1, TestName = "Two proposals with one ID")]
    [TestCase((byte)1, (byte)2, TestName = "A proposal with an even ID")]
    public void Presentation_context_IDs_must_be_distinct_and_odd(byte first, byte second)
    {
        var bytes = PduCodec.Encode(new AssociateRequestPdu("A", "B",
            [
                new PresentationContextProposal(first, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian]),
                new PresentationContextProposal(second, DicomUids.CTImageStorage, [DicomUids.ImplicitVRLittleEndian]),
            ],
            new UserInformation()));

        var ex = Assert.Throws<PduFormatException>(() => PduCodec.Decode(bytes));

        Assert.That(ex!.Message, Does.Contain($"presentation context ID {second}"));
    }

    [Test]
    public void A_cancel_names_the_request_it_cancels_as_PS3_7_requires()
    {
        var cancel = Dimse.DimseCommand.Decode(new Dimse.DimseCommand(Dimse.DimseCommandField.CCancelRequest, 7, hasDataSet: false).Encode());

        Assert.That(cancel.MessageIdBeingRespondedTo, Is.EqualTo(7));
        Assert.That(cancel.Dataset.Contains(DicomTags.MessageID), Is.False, "C-CANCEL-RQ has no Message ID of its own");
    }

    [Test]
    public void A_proposal_without_transfer_syntax_is_refused()
    {
        var bytes = PduCodec.Encode(new AssociateRequestPdu("A", "B", [new PresentationContextProposal(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian])], new UserInformation()));

        // Turn the only transfer syntax sub-item (type 0x40, 17 bytes: "1.2.840.10008.1.2") into an unknown sub-item type.
        var at = bytes.AsSpan().IndexOf(new byte[] { 0x40, 0x00, 0x00, 0x11 });
        Assert.That(at, Is.GreaterThan(0));
        bytes[at] = 0x41;

        var ex = Assert.Throws<PduFormatException>(() => PduCodec.Decode(bytes));
        Assert.That(ex!.Message, Does.Contain("transfer syntax"));
    }
}
