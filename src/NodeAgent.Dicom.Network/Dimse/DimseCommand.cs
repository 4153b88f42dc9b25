using NodeAgent.Dicom.IO;

namespace NodeAgent.Dicom.Network.Dimse;

/// <summary>
/// A DIMSE command set (group 0000, PS3.7 E): typed access to its fields over a dataset, encoded
/// in implicit VR little endian whatever transfer syntax the data set uses.
/// </summary>
public sealed class DimseCommand
{
    /// <summary>Command Data Set Type (0000,0800) when no data set follows.</summary>
    public const ushort NoDataSet = 0x0101;

    public DimseCommand(DicomDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        Dataset = dataset;
    }

    public DimseCommand(DimseCommandField field, ushort messageId, bool hasDataSet)
        : this(new DicomDataset())
    {
        Set(DicomTags.CommandField, (ushort)field);

        // Responses, and C-CANCEL (PS3.7 9.3.2.3), name the request they answer; other requests have their own ID.
        Set(RefersToRequest(field) ? DicomTags.MessageIDBeingRespondedTo : DicomTags.MessageID, messageId);

        Set(DicomTags.CommandDataSetType, hasDataSet ? (ushort)0x0000 : NoDataSet);
    }

    public DicomDataset Dataset { get; }

    /// <summary>True for responses and C-CANCEL, whose Message ID Being Responded To names the request.</summary>
    public static bool RefersToRequest(DimseCommandField field) => field >= (DimseCommandField)0x8000 || field == DimseCommandField.CCancelRequest;

    public DimseCommandField Field => (DimseCommandField)(Get(DicomTags.CommandField) ?? throw new DicomNetworkException("A DIMSE command without Command Field (0000,0100)."));

    public ushort MessageId => Get(DicomTags.MessageID) ?? 0;

    public ushort MessageIdBeingRespondedTo => Get(DicomTags.MessageIDBeingRespondedTo) ?? 0;

    public bool HasDataSet => (Get(DicomTags.CommandDataSetType) ?? NoDataSet) != NoDataSet;

    public ushort Status
    {
        get => Get(DicomTags.Status) ?? DimseStatus.Success;
        set => Set(DicomTags.Status, value);
    }

    public string? AffectedSopClassUid
    {
        get => Dataset.GetString(DicomTags.AffectedSOPClassUID);
        set => SetUid(DicomTags.AffectedSOPClassUID, value);
    }

    public string? RequestedSopClassUid
    {
        get => Dataset.GetString(DicomTags.RequestedSOPClassUID);
        set => SetUid(DicomTags.RequestedSOPClassUID, value);
    }

    public string? AffectedSopInstanceUid
    {
        get => Dataset.GetString(DicomTags.AffectedSOPInstanceUID);
        set => SetUid(DicomTags.AffectedSOPInstanceUID, value);
    }

    public string? MoveDestination
    {
        get => Dataset.GetString(DicomTags.MoveDestination);
        set => SetText(DicomTags.MoveDestination, DicomVR.AE, value);
    }

    public string? MoveOriginatorAeTitle
    {
        get => Dataset.GetString(DicomTags.MoveOriginatorApplicationEntityTitle);
        set => SetText(DicomTags.MoveOriginatorApplicationEntityTitle, DicomVR.AE, value);
    }

    public ushort? MoveOriginatorMessageId
    {
        get => Get(DicomTags.MoveOriginatorMessageID);
        set => SetOptional(DicomTags.MoveOriginatorMessageID, value);
    }

    public ushort Priority
    {
        get => Get(DicomTags.Priority) ?? 0;
        set => Set(DicomTags.Priority, value);
    }

    public string? ErrorComment
    {
        get => Dataset.GetString(DicomTags.ErrorComment);
        set => SetText(DicomTags.ErrorComment, DicomVR.LO, value);
    }

    public ushort? RemainingSubOperations
    {
        get => Get(DicomTags.NumberOfRemainingSuboperations);
        set => SetOptional(DicomTags.NumberOfRemainingSuboperations, value);
    }

    public ushort? CompletedSubOperations
    {
        get => Get(DicomTags.NumberOfCompletedSuboperations);
        set => SetOptional(DicomTags.NumberOfCompletedSuboperations, value);
    }

    public ushort? FailedSubOperations
    {
        get => Get(DicomTags.NumberOfFailedSuboperations);
        set => SetOptional(DicomTags.NumberOfFailedSuboperations, value);
    }

    public ushort? WarningSubOperations
    {
        get => Get(DicomTags.NumberOfWarningSuboperations);
        set => SetOptional(DicomTags.NumberOfWarningSuboperations, value);
    }

    /// <summary>The command encoded in implicit VR little endian, group length first (PS3.7 6.3.1).</summary>
    public byte[] Encode()
    {
        Dataset.Remove(DicomTags.CommandGroupLength);
        using var body = new MemoryStream();
        DicomWriter.WriteDataset(body, Dataset, DicomTransferSyntax.ImplicitVRLittleEndian, SmallBuffer);
        var length = (uint)body.Length;
        using var result = new MemoryStream((int)length + 12);
        result.Write([0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00]);
        result.Write(BitConverter.GetBytes(length));
        body.Position = 0;
        body.CopyTo(result);
        return result.ToArray();
    }

    public static DimseCommand Decode(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            using var file = DicomFile.ReadDataset(new MemoryStream(bytes.ToArray(), writable: false), DicomTransferSyntax.ImplicitVRLittleEndian, CommandReadOptions);
            return new DimseCommand(file.Dataset);
        }
        catch (DicomException ex) when (ex is not DicomNetworkException)
        {
            throw new DicomNetworkException($"The peer sent a DIMSE command that is not a valid command set: {ex.Message}", ex);
        }
    }

    public override string ToString() => $"{Field} (message {(RefersToRequest(Field) ? MessageIdBeingRespondedTo : MessageId)})";

    private static readonly DicomReadOptions CommandReadOptions = new() { MaxElements = 1000, MaxDepth = 4, BufferSize = 1024 };

    private static readonly DicomWriteOptions SmallBuffer = new() { BufferSize = 4096 };

    private ushort? Get(DicomTag tag) => Dataset.TryGetElement(tag, out var e) && e.Length >= 2 ? e.GetNumbers<ushort>()[0] : null;

    private void Set(DicomTag tag, ushort value) => Dataset.AddOrUpdate(tag, DicomVR.US, value);

    private void SetOptional(DicomTag tag, ushort? value)
    {
        if (value is { } v)
        {
            Set(tag, v);
        }
        else
        {
            Dataset.Remove(tag);
        }
    }

    private void SetUid(DicomTag tag, string? value) => SetText(tag, DicomVR.UI, value);

    private void SetText(DicomTag tag, DicomVR vr, string? value)
    {
        if (value is null)
        {
            Dataset.Remove(tag);
        }
        else
        {
            Dataset.AddOrUpdate(tag, vr, value);
        }
    }
}
