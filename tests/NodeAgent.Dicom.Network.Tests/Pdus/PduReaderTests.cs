using NodeAgent.Dicom.Network.Pdus;

namespace NodeAgent.Dicom.Network.Tests.Pdus;

public class PduReaderTests
{
    [Test]
    public async Task A_data_PDU_over_the_announced_maximum_is_refused_before_it_is_read()
    {
        var header = new byte[] { 0x04, 0, 0x10, 0, 0, 0 }; // 256 MB declared, nothing follows
        using var reader = new PduReader(new MemoryStream(header), 16384);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var ex = await Assert.ThrowsAsync<PduFormatException>(async () => await reader.ReadAsync(CancellationToken.None));

        Assert.That(ex!.Reason, Is.EqualTo(AbortReason.InvalidPduParameterValue));
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(1024 * 1024));
        await Task.CompletedTask;
    }

    [Test]
    public async Task A_clean_close_between_PDUs_reads_as_null_and_a_close_inside_one_as_an_error()
    {
        using var empty = new PduReader(new MemoryStream([]), 0);
        Assert.That(await empty.ReadAsync(CancellationToken.None), Is.Null);

        using var cut = new PduReader(new MemoryStream(new byte[] { 0x05, 0, 0, 0, 0, 4, 0 }), 0);
        await Assert.ThrowsAsync<DicomNetworkException>(async () => await cut.ReadAsync(CancellationToken.None));
    }

    [Test]
    public async Task Consecutive_PDUs_are_read_one_by_one()
    {
        var bytes = PduCodec.Encode(new ReleaseRequestPdu()).Concat(PduCodec.Encode(new AbortPdu(AbortSource.ServiceUser, AbortReason.NotSpecified))).ToArray();
        using var reader = new PduReader(new MemoryStream(bytes), 0);

        Assert.That(await reader.ReadAsync(CancellationToken.None), Is.InstanceOf<ReleaseRequestPdu>());
        Assert.That(await reader.ReadAsync(CancellationToken.None), Is.InstanceOf<AbortPdu>());
        Assert.That(await reader.ReadAsync(CancellationToken.None), Is.Null);
        Assert.That(reader.BytesRead, Is.EqualTo(bytes.Length));
    }
}
