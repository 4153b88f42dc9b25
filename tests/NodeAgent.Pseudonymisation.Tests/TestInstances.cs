using NodeAgent.Dicom;
using NodeAgent.Dicom.IO;

namespace NodeAgent.Pseudonymisation.Tests;

/// <summary>Small instances with identifying values planted where real ones hide them.</summary>
internal static class TestInstances
{
    public const string PatientId = "PAT-778812";
    public const string PatientName = "Kowalski^Anna^Maria";
    public const string StudyUid = "1.2.826.0.1.3680043.8.498.100";
    public const string SeriesUid = "1.2.826.0.1.3680043.8.498.101";
    public const string FrameOfReferenceUid = "1.2.826.0.1.3680043.8.498.102";

    public static string SopUid(int n) => "1.2.826.0.1.3680043.8.498.2" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static DicomDataset Ct(int instance = 1, string patientId = PatientId, string studyDate = "20200314")
    {
        var ds = new DicomDataset();
        ds.AddOrUpdate(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 100");
        ds.AddOrUpdate(DicomTags.ImageType, DicomVR.CS, "ORIGINAL", "PRIMARY", "AXIAL");
        ds.AddOrUpdate(DicomTags.SOPClassUID, DicomVR.UI, DicomUids.CTImageStorage);
        ds.AddOrUpdate(DicomTags.SOPInstanceUID, DicomVR.UI, SopUid(instance));
        ds.AddOrUpdate(DicomTags.StudyDate, DicomVR.DA, studyDate);
        ds.AddOrUpdate(DicomTags.SeriesDate, DicomVR.DA, studyDate);
        ds.AddOrUpdate(DicomTags.StudyTime, DicomVR.TM, "101500");
        ds.AddOrUpdate(DicomTags.AcquisitionDateTime, DicomVR.DT, studyDate + "101733.120000+0100");
        ds.AddOrUpdate(DicomTags.AccessionNumber, DicomVR.SH, "ACC99812");
        ds.AddOrUpdate(DicomTags.Modality, DicomVR.CS, "CT");
        ds.AddOrUpdate(DicomTags.Manufacturer, DicomVR.LO, "SIEMENS");
        ds.AddOrUpdate(DicomTags.InstitutionName, DicomVR.LO, "Hôpital Sainte-Anne");
        ds.AddOrUpdate(DicomTags.ReferringPhysicianName, DicomVR.PN, "Nowak^Piotr");
        ds.AddOrUpdate(DicomTags.StationName, DicomVR.SH, "CTROOM3");
        ds.AddOrUpdate(DicomTags.StudyDescription, DicomVR.LO, "CT THORAX Kowalski");
        ds.AddOrUpdate(DicomTags.OperatorsName, DicomVR.PN, "Müller^Eva");
        ds.AddOrUpdate(DicomTags.PatientName, DicomVR.PN, PatientName);
        ds.AddOrUpdate(DicomTags.PatientID, DicomVR.LO, patientId);
        ds.AddOrUpdate(DicomTags.PatientBirthDate, DicomVR.DA, "19510203");
        ds.AddOrUpdate(DicomTags.PatientSex, DicomVR.CS, "F");
        ds.AddOrUpdate(DicomTags.PatientAge, DicomVR.AS, "069Y");
        ds.AddOrUpdate(DicomTags.PatientAddress, DicomVR.LO, "Große Straße 5, Köln");
        ds.AddOrUpdate(DicomTags.DeviceSerialNumber, DicomVR.LO, "SN-44120");
        ds.AddOrUpdate(DicomTags.SliceThickness, DicomVR.DS, "1.25");
        ds.AddOrUpdate(DicomTags.StudyInstanceUID, DicomVR.UI, StudyUid);
        ds.AddOrUpdate(DicomTags.SeriesInstanceUID, DicomVR.UI, SeriesUid);
        ds.AddOrUpdate(DicomTags.StudyID, DicomVR.SH, "S4471");
        ds.AddOrUpdate(DicomTags.FrameOfReferenceUID, DicomVR.UI, FrameOfReferenceUid);
        ds.AddOrUpdate(DicomTags.ImageComments, DicomVR.LT, "Pt. Kowalski called back, Dr. Nowak informed");
        var otherIds = new DicomDataset();
        otherIds.AddOrUpdate(DicomTags.PatientID, DicomVR.LO, "OLD-1234");
        ds.AddOrUpdate(new DicomSequence(DicomTags.OtherPatientIDsSequence, otherIds));
        var request = new DicomDataset();
        request.AddOrUpdate(DicomTags.RequestingPhysician, DicomVR.PN, "Lefevre^Jean");
        request.AddOrUpdate(DicomTags.AccessionNumber, DicomVR.SH, "ACC99812");
        request.AddOrUpdate(DicomTags.StudyInstanceUID, DicomVR.UI, StudyUid);
        ds.AddOrUpdate(new DicomSequence(DicomTags.RequestAttributesSequence, request));

        // Private data: a safe Philips element at the top and inside a private sequence, free text in a
        // "safe" slot, and a vendor's copy of the patient ID.
        var philips = ds.GetPrivateBlock(0x2001, "Philips Imaging DD 001", reserve: true)!;
        ds.AddOrUpdate(new DicomElement(philips.Tag(0x03), DicomVR.FL, BitConverter.GetBytes(1000f)));
        var item = new DicomDataset();
        var inner = item.GetPrivateBlock(0x2001, "Philips Imaging DD 001", reserve: true)!;
        item.AddOrUpdate(new DicomElement(inner.Tag(0x32), DicomVR.FL, BitConverter.GetBytes(0.5f)));
        item.AddOrUpdate(inner.Tag(0x90), DicomVR.LO, "Muller Eva");
        ds.AddOrUpdate(new DicomSequence(philips.Tag(0x5F), item));
        var ge = ds.GetPrivateBlock(0x0033, "GEMS_IDEN_PHI", reserve: true)!;
        ds.AddOrUpdate(ge.Tag(0x10), DicomVR.LO, patientId);

        // Overlay and curve groups.
        ds.AddOrUpdate(DicomTags.Rows, DicomVR.US, (ushort)4);
        ds.AddOrUpdate(DicomTags.Columns, DicomVR.US, (ushort)4);
        ds.AddOrUpdate(new DicomElement(new DicomTag(0x6000, 0x0010), DicomVR.US, new byte[] { 4, 0 }));
        ds.AddOrUpdate(new DicomElement(new DicomTag(0x6000, 0x3000), DicomVR.OW, new byte[4]));
        ds.AddOrUpdate(new DicomElement(new DicomTag(0x5000, 0x0005), DicomVR.US, new byte[] { 1, 0 }));

        ds.AddOrUpdate(DicomTags.SamplesPerPixel, DicomVR.US, (ushort)1);
        ds.AddOrUpdate(DicomTags.PhotometricInterpretation, DicomVR.CS, "MONOCHROME2");
        ds.AddOrUpdate(DicomTags.BitsAllocated, DicomVR.US, (ushort)16);
        ds.AddOrUpdate(DicomTags.BitsStored, DicomVR.US, (ushort)12);
        ds.AddOrUpdate(DicomTags.HighBit, DicomVR.US, (ushort)11);
        ds.AddOrUpdate(DicomTags.PixelRepresentation, DicomVR.US, (ushort)0);
        ds.AddOrUpdate(DicomTags.BurnedInAnnotation, DicomVR.CS, "NO");
        ds.AddOrUpdate(new DicomElement(DicomTags.PixelData, DicomVR.OW, Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()));
        return ds;
    }

    /// <summary>An 8-bit RGB ultrasound frame of <paramref name="rows"/> x <paramref name="columns"/>, every byte 0xAA.</summary>
    public static DicomDataset Ultrasound(int rows = 8, int columns = 10, int frames = 2)
    {
        var ds = new DicomDataset();
        ds.AddOrUpdate(DicomTags.SOPClassUID, DicomVR.UI, DicomUids.UltrasoundMultiFrameImageStorage);
        ds.AddOrUpdate(DicomTags.SOPInstanceUID, DicomVR.UI, SopUid(900));
        ds.AddOrUpdate(DicomTags.Modality, DicomVR.CS, "US");
        ds.AddOrUpdate(DicomTags.Manufacturer, DicomVR.LO, "ACME");
        ds.AddOrUpdate(DicomTags.ManufacturerModelName, DicomVR.LO, "Sono 5");
        ds.AddOrUpdate(DicomTags.PatientID, DicomVR.LO, PatientId);
        ds.AddOrUpdate(DicomTags.StudyInstanceUID, DicomVR.UI, StudyUid);
        ds.AddOrUpdate(DicomTags.SeriesInstanceUID, DicomVR.UI, SeriesUid + ".9");
        ds.AddOrUpdate(DicomTags.SamplesPerPixel, DicomVR.US, (ushort)3);
        ds.AddOrUpdate(DicomTags.PhotometricInterpretation, DicomVR.CS, "RGB");
        ds.AddOrUpdate(DicomTags.PlanarConfiguration, DicomVR.US, (ushort)0);
        ds.AddOrUpdate(DicomTags.NumberOfFrames, DicomVR.IS, frames.ToString(System.Globalization.CultureInfo.InvariantCulture));
        ds.AddOrUpdate(DicomTags.Rows, DicomVR.US, (ushort)rows);
        ds.AddOrUpdate(DicomTags.Columns, DicomVR.US, (ushort)columns);
        ds.AddOrUpdate(DicomTags.BitsAllocated, DicomVR.US, (ushort)8);
        ds.AddOrUpdate(DicomTags.BitsStored, DicomVR.US, (ushort)8);
        ds.AddOrUpdate(DicomTags.HighBit, DicomVR.US, (ushort)7);
        ds.AddOrUpdate(DicomTags.PixelRepresentation, DicomVR.US, (ushort)0);
        ds.AddOrUpdate(DicomTags.BurnedInAnnotation, DicomVR.CS, "YES");
        ds.AddOrUpdate(new DicomElement(DicomTags.PixelData, DicomVR.OB, Enumerable.Repeat((byte)0xAA, rows * columns * 3 * frames).ToArray()));
        return ds;
    }

    public static DicomFile File(DicomDataset dataset) => new(dataset, DicomTransferSyntax.ExplicitVRLittleEndian);

    /// <summary>Saves and reads back: what a consumer of the output sees.</summary>
    public static DicomFile RoundTrip(DicomFile file)
    {
        using var stream = new MemoryStream();
        file.Write(stream, new DicomWriteOptions { FlushToDisk = false });
        stream.Position = 0;
        return DicomFile.Read(stream);
    }

    /// <summary>Every text value of a file (any depth, private elements, file meta) decoded, for leak searches.</summary>
    public static string AllText(DicomFile file)
    {
        var text = new System.Text.StringBuilder();
        Collect(file.FileMetaInformation, text);
        Collect(file.Dataset, text);
        return text.ToString();
    }

    private static void Collect(DicomDataset dataset, System.Text.StringBuilder text)
    {
        foreach (var item in dataset)
        {
            switch (item)
            {
                case DicomSequence sequence:
                    foreach (var child in sequence.Items)
                    {
                        Collect(child, text);
                    }

                    break;
                case DicomElement element when element.Tag != DicomTags.PixelData:
                    text.Append(System.Text.Encoding.Latin1.GetString(element.GetBytes().Span)).Append('|');
                    try
                    {
                        text.Append(element.GetText(dataset.CharacterSet)).Append('|');
                    }
                    catch (DicomException)
                    {
                        // binary values only
                    }

                    break;
            }
        }
    }
}
