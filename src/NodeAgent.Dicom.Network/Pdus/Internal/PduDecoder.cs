namespace NodeAgent.Dicom.Network.Pdus.Internal;

/// <summary>Decodes PDU bodies (after the 6-byte header). Unknown items are skipped; wrong lengths are errors.</summary>
internal static class PduDecoder
{
    public static Pdu Decode(PduType type, ReadOnlyMemory<byte> body) => type switch
    {
        PduType.AssociateRequest => DecodeAssociateRequest(body.Span),
        PduType.AssociateAccept => DecodeAssociateAccept(body.Span),
        PduType.AssociateReject => DecodeReject(body.Span),
        PduType.DataTransfer => DecodeDataTransfer(body),
        PduType.ReleaseRequest => Fixed(body.Span, 4, new ReleaseRequestPdu(), "A-RELEASE-RQ"),
        PduType.ReleaseResponse => Fixed(body.Span, 4, new ReleaseResponsePdu(), "A-RELEASE-RP"),
        PduType.Abort => DecodeAbort(body.Span),
        _ => throw new PduFormatException($"Unknown PDU type 0x{(byte)type:X2}.", AbortReason.UnrecognizedPdu),
    };

    private static Pdu Fixed(ReadOnlySpan<byte> body, int length, Pdu pdu, string what) =>
        body.Length == length ? pdu : throw new PduFormatException($"An {what} PDU must be {length} bytes long, not {body.Length}.");

    private static AssociateRejectPdu DecodeReject(ReadOnlySpan<byte> body)
    {
        var r = new BigEndianReader(body, "A-ASSOCIATE-RJ");
        r.Skip(1);
        var result = r.ReadByte();
        var source = r.ReadByte();
        var reason = r.ReadByte();
        if (r.Remaining != 0 || result is < 1 or > 2 || source is < 1 or > 3)
        {
            throw new PduFormatException("The A-ASSOCIATE-RJ PDU has an invalid result or source.");
        }

        return new AssociateRejectPdu((AssociateRejectResult)result, (AssociateRejectSource)source, reason);
    }

    private static AbortPdu DecodeAbort(ReadOnlySpan<byte> body)
    {
        var r = new BigEndianReader(body, "A-ABORT");
        r.Skip(2);
        var source = r.ReadByte();
        var reason = r.ReadByte();
        if (r.Remaining != 0)
        {
            throw new PduFormatException("The A-ABORT PDU must be 4 bytes long.");
        }

        return new AbortPdu(source == 2 ? AbortSource.ServiceProvider : AbortSource.ServiceUser, (AbortReason)reason);
    }

    private static DataTransferPdu DecodeDataTransfer(ReadOnlyMemory<byte> body)
    {
        var values = new List<PresentationDataValue>(1);
        var offset = 0;
        var span = body.Span;
        while (offset < span.Length)
        {
            var r = new BigEndianReader(span[offset..], "P-DATA-TF");
            var length = r.ReadUInt32();
            if (length < 2 || length > span.Length - offset - 4)
            {
                throw new PduFormatException($"A PDV item declares {length} bytes where {span.Length - offset - 4} remain in the P-DATA-TF PDU.");
            }

            var id = r.ReadByte();
            var header = r.ReadByte();
            if ((id & 1) == 0)
            {
                throw new PduFormatException($"Presentation context ID {id} is even; IDs are odd numbers (PS3.8 9.3.2.2).");
            }

            values.Add(new PresentationDataValue(id, (header & 1) != 0, (header & 2) != 0, body.Slice(offset + 6, (int)length - 2)));
            offset += 4 + (int)length;
        }

        if (values.Count == 0)
        {
            throw new PduFormatException("A P-DATA-TF PDU carries no PDV item.");
        }

        return new DataTransferPdu(values);
    }

    private static AssociateRequestPdu DecodeAssociateRequest(ReadOnlySpan<byte> body)
    {
        var proposals = new List<PresentationContextProposal>();
        var header = DecodeAssociateBody(body, "A-ASSOCIATE-RQ", PresentationContextRequestItem, item => proposals.Add(DecodeProposal(item)));
        if (header.Context is null)
        {
            throw new PduFormatException("The A-ASSOCIATE-RQ has no application context item.", AbortReason.InvalidPduParameterValue);
        }

        // PS3.8 9.3.2.2: each proposal has its own odd ID (1-255).
        var ids = new HashSet<byte>();
        foreach (var proposal in proposals)
        {
            if ((proposal.Id & 1) == 0 || !ids.Add(proposal.Id))
            {
                throw new PduFormatException($"The A-ASSOCIATE-RQ proposes presentation context ID {proposal.Id} {((proposal.Id & 1) == 0 ? "(even)" : "twice")}; IDs are distinct odd numbers.", AbortReason.InvalidPduParameterValue);
            }
        }

        return new AssociateRequestPdu(header.Called, header.Calling, proposals, header.User)
        {
            ApplicationContextName = header.Context,
            ProtocolVersion = header.Version,
        };
    }

    private static AssociateAcceptPdu DecodeAssociateAccept(ReadOnlySpan<byte> body)
    {
        var results = new List<PresentationContextResult>();
        var header = DecodeAssociateBody(body, "A-ASSOCIATE-AC", PresentationContextAcceptItem, item => results.Add(DecodeResult(item)));

        // The requestor is lenient: an acceptor that leaves out the one defined application context means it.
        return new AssociateAcceptPdu(header.Called, header.Calling, results, header.User)
        {
            ApplicationContextName = header.Context ?? AssociateRequestPdu.DicomApplicationContext,
            ProtocolVersion = header.Version,
        };
    }

    private const byte ApplicationContextItem = 0x10;
    private const byte PresentationContextRequestItem = 0x20;
    private const byte PresentationContextAcceptItem = 0x21;
    private const byte UserInformationItem = 0x50;

    /// <summary>
    /// The fixed fields and variable items shared by A-ASSOCIATE-RQ and -AC (PS3.8 9.3.2, 9.3.3);
    /// presentation context items (0x20 in a request, 0x21 in an accept) go to <paramref name="onContextItem"/>.
    /// </summary>
    private static (ushort Version, string Called, string Calling, string? Context, UserInformation User) DecodeAssociateBody(
        ReadOnlySpan<byte> body, string pduName, byte contextItemType, Action<ReadOnlySpan<byte>> onContextItem)
    {
        var r = new BigEndianReader(body, pduName);
        var version = r.ReadUInt16();
        r.Skip(2);
        var called = r.ReadAeTitle();
        var calling = r.ReadAeTitle();
        r.Skip(32);
        string? context = null;
        UserInformation? user = null;
        while (r.Remaining > 0)
        {
            var itemType = r.ReadByte();
            r.Skip(1);
            var item = r.ReadBytes(r.ReadUInt16());
            if (itemType == ApplicationContextItem)
            {
                context = new BigEndianReader(item, "application context item").ReadAscii(item.Length);
            }
            else if (itemType == contextItemType)
            {
                onContextItem(item);
            }
            else if (itemType == UserInformationItem)
            {
                user = DecodeUserInformation(item);
            }

            // PS3.8 9.3.1: items of any other type are ignored.
        }

        return (version, called, calling, context, user ?? new UserInformation { ImplementationClassUid = null, ImplementationVersionName = null, MaxPduLength = 0 });
    }

    private static PresentationContextProposal DecodeProposal(ReadOnlySpan<byte> item)
    {
        var r = new BigEndianReader(item, "presentation context item");
        var id = r.ReadByte();
        r.Skip(3);
        string? abstractSyntax = null;
        var transferSyntaxes = new List<string>();
        while (r.Remaining > 0)
        {
            var subType = r.ReadByte();
            r.Skip(1);
            var length = r.ReadUInt16();
            var uid = r.ReadAscii(length);
            if (subType == 0x30)
            {
                abstractSyntax = uid;
            }
            else if (subType == 0x40)
            {
                transferSyntaxes.Add(uid);
            }
        }

        if (abstractSyntax is null || transferSyntaxes.Count == 0)
        {
            throw new PduFormatException($"Presentation context {id} lacks an abstract syntax or a transfer syntax.");
        }

        return new PresentationContextProposal(id, abstractSyntax, transferSyntaxes);
    }

    private static PresentationContextResult DecodeResult(ReadOnlySpan<byte> item)
    {
        var r = new BigEndianReader(item, "presentation context result item");
        var id = r.ReadByte();
        r.Skip(1);
        var result = r.ReadByte();
        r.Skip(1);
        var transferSyntax = string.Empty;
        while (r.Remaining > 0)
        {
            var subType = r.ReadByte();
            r.Skip(1);
            var uid = r.ReadAscii(r.ReadUInt16());
            if (subType == 0x40)
            {
                transferSyntax = uid;
            }
        }

        if (result > 4)
        {
            throw new PduFormatException($"Presentation context {id} has result {result}; 0 to 4 are defined.");
        }

        return new PresentationContextResult(id, (PresentationContextResultCode)result, transferSyntax);
    }

    private static UserInformation DecodeUserInformation(ReadOnlySpan<byte> item)
    {
        var r = new BigEndianReader(item, "user information item");
        uint maxLength = 0;
        string? implementationClass = null;
        string? implementationVersion = null;
        ushort? invoked = null;
        ushort? performed = null;
        var roles = new List<RoleSelection>();
        var extended = new List<ExtendedNegotiation>();
        UserIdentityRequest? identity = null;
        ReadOnlyMemory<byte>? identityResponse = null;
        while (r.Remaining > 0)
        {
            var subType = r.ReadByte();
            r.Skip(1);
            var sub = new BigEndianReader(r.ReadBytes(r.ReadUInt16()), $"user information sub-item 0x{subType:X2}");
            switch (subType)
            {
                case 0x51:
                    maxLength = sub.ReadUInt32();
                    break;
                case 0x52:
                    implementationClass = sub.ReadAscii(sub.Remaining);
                    break;
                case 0x53:
                    invoked = sub.ReadUInt16();
                    performed = sub.ReadUInt16();
                    break;
                case 0x54:
                    var roleUid = sub.ReadAscii(sub.ReadUInt16());
                    roles.Add(new RoleSelection(roleUid, sub.ReadByte() == 1, sub.ReadByte() == 1));
                    break;
                case 0x55:
                    implementationVersion = sub.ReadAscii(sub.Remaining);
                    break;
                case 0x56:
                    var sopClass = sub.ReadAscii(sub.ReadUInt16());
                    extended.Add(new ExtendedNegotiation(sopClass, sub.ReadBytes(sub.Remaining).ToArray()));
                    break;
                case 0x58:
                    var type = sub.ReadByte();
                    var positive = sub.ReadByte() == 1;
                    var primary = sub.ReadBytes(sub.ReadUInt16()).ToArray();
                    var secondary = sub.Remaining >= 2 ? sub.ReadBytes(sub.ReadUInt16()).ToArray() : [];
                    identity = new UserIdentityRequest((UserIdentityType)type, positive, primary, secondary);
                    break;
                case 0x59:
                    identityResponse = sub.ReadBytes(sub.ReadUInt16()).ToArray();
                    break;
                default:
                    // Sub-items we do not use (e.g. 0x57 common extended negotiation) are skipped.
                    break;
            }
        }

        return new UserInformation
        {
            MaxPduLength = maxLength,
            ImplementationClassUid = implementationClass,
            ImplementationVersionName = implementationVersion,
            MaxOperationsInvoked = invoked,
            MaxOperationsPerformed = performed,
            RoleSelections = roles,
            ExtendedNegotiations = extended,
            UserIdentity = identity,
            UserIdentityServerResponse = identityResponse,
        };
    }
}
