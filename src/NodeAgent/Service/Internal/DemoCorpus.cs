using System.Globalization;
using NodeAgent.Dicom;
using NodeAgent.Dicom.IO;

namespace NodeAgent.Service.Internal;

/// <summary>
/// A small synthetic corpus to try NodeAgent with: made-up patients (no real person), studies of
/// several modalities, body parts, manufacturers, sexes and ages, each instance a tiny valid image
/// written by our own DICOM writer. Deterministic for a seed.
/// </summary>
internal static class DemoCorpus
{
    private static readonly (string Modality, string SopClass, string[] BodyParts)[] Kinds =
    [
        ("CT", DicomUids.CTImageStorage, ["CHEST", "ABDOMEN", "PELVIS", "HEAD"]),
        ("MR", DicomUids.MRImageStorage, ["PROSTATE", "BRAIN", "BREAST", "LIVER"]),
        ("PT", DicomUids.PositronEmissionTomographyImageStorage, ["WHOLEBODY", "CHEST"]),
        ("MG", DicomUids.DigitalMammographyXRayImageStorageForPresentation, ["BREAST"]),
        ("CR", DicomUids.ComputedRadiographyImageStorage, ["CHEST", "KNEE"]),
    ];

    private static readonly (string Manufacturer, string Model)[] Scanners =
    [
        ("SIEMENS", "SOMATOM Force"), ("GE MEDICAL SYSTEMS", "Discovery MR750"), ("PHILIPS", "Ingenia"), ("CANON MEDICAL SYSTEMS", "Aquilion ONE"),
    ];

    /// <summary>Writes the corpus under <paramref name="folder"/>; returns the number of files.</summary>
    public static int Write(string folder, int patients, int seed)
    {
        var random = new Random(seed);
        var root = $"2.25.{(uint)seed}{random.Next(100_000, 999_999)}";
        var files = 0;
        for (var p = 0; p < patients; p++)
        {
            var sex = random.Next(10) < 5 ? "M" : "F";
            var birth = new DateOnly(1930 + random.Next(70), 1 + random.Next(12), 1 + random.Next(28));
            var patientId = $"DEMO{p + 1:D4}";
            var name = $"DEMO^PATIENT{p + 1:D4}";
            for (var s = 0; s < 1 + random.Next(3); s++)
            {
                var studyDate = new DateOnly(2012 + random.Next(13), 1 + random.Next(12), 1 + random.Next(28));
                var studyUid = $"{root}.{p + 1}.{s + 1}";
                var kind = Kinds[random.Next(Kinds.Length)];
                if (sex == "M" && kind.Modality == "MG")
                {
                    kind = Kinds[1];
                }

                var bodyPart = kind.BodyParts[random.Next(kind.BodyParts.Length)];
                if (sex == "M" ? bodyPart == "BREAST" : bodyPart == "PROSTATE")
                {
                    bodyPart = "PELVIS";
                }

                var scanner = Scanners[random.Next(Scanners.Length)];
                var age = studyDate.Year - birth.Year - (studyDate < birth.AddYears(studyDate.Year - birth.Year) ? 1 : 0);
                for (var r = 0; r < 1 + random.Next(3); r++)
                {
                    var seriesUid = $"{studyUid}.{r + 1}";
                    var directory = Path.Combine(folder, patientId, $"study{s + 1}", $"series{r + 1}");
                    Directory.CreateDirectory(directory);
                    for (var i = 0; i < 2 + random.Next(4); i++)
                    {
                        var ds = new DicomDataset();
                        ds.AddOrUpdate(DicomTags.SpecificCharacterSet, "ISO_IR 100");
                        ds.AddOrUpdate(DicomTags.SOPClassUID, DicomVR.UI, kind.SopClass);
                        ds.AddOrUpdate(DicomTags.SOPInstanceUID, DicomVR.UI, $"{seriesUid}.{i + 1}");
                        ds.AddOrUpdate(DicomTags.StudyInstanceUID, DicomVR.UI, studyUid);
                        ds.AddOrUpdate(DicomTags.SeriesInstanceUID, DicomVR.UI, seriesUid);
                        ds.AddOrUpdate(DicomTags.PatientName, DicomVR.PN, name);
                        ds.AddOrUpdate(DicomTags.PatientID, DicomVR.LO, patientId);
                        ds.AddOrUpdate(DicomTags.PatientBirthDate, DicomVR.DA, birth.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
                        ds.AddOrUpdate(DicomTags.PatientSex, DicomVR.CS, sex);
                        ds.AddOrUpdate(DicomTags.PatientAge, DicomVR.AS, $"{Math.Clamp(age, 0, 999):D3}Y");
                        ds.AddOrUpdate(DicomTags.StudyDate, DicomVR.DA, studyDate.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
                        ds.AddOrUpdate(DicomTags.StudyTime, DicomVR.TM, "101500");
                        ds.AddOrUpdate(DicomTags.AccessionNumber, DicomVR.SH, $"ACC{p + 1:D4}{s + 1}");
                        ds.AddOrUpdate(DicomTags.StudyID, DicomVR.SH, $"{s + 1}");
                        ds.AddOrUpdate(DicomTags.Modality, DicomVR.CS, kind.Modality);
                        ds.AddOrUpdate(DicomTags.BodyPartExamined, DicomVR.CS, bodyPart);
                        ds.AddOrUpdate(DicomTags.Manufacturer, DicomVR.LO, scanner.Manufacturer);
                        ds.AddOrUpdate(DicomTags.ManufacturerModelName, DicomVR.LO, scanner.Model);
                        ds.AddOrUpdate(DicomTags.SeriesNumber, DicomVR.IS, $"{r + 1}");
                        ds.AddOrUpdate(DicomTags.InstanceNumber, DicomVR.IS, $"{i + 1}");
                        ds.AddOrUpdate(DicomTags.SliceThickness, DicomVR.DS, kind.Modality is "CT" or "MR" or "PT" ? "2.5" : "1");
                        ds.AddOrUpdate(DicomTags.SamplesPerPixel, DicomVR.US, (ushort)1);
                        ds.AddOrUpdate(DicomTags.PhotometricInterpretation, DicomVR.CS, "MONOCHROME2");
                        ds.AddOrUpdate(DicomTags.Rows, DicomVR.US, (ushort)8);
                        ds.AddOrUpdate(DicomTags.Columns, DicomVR.US, (ushort)8);
                        ds.AddOrUpdate(DicomTags.BitsAllocated, DicomVR.US, (ushort)16);
                        ds.AddOrUpdate(DicomTags.BitsStored, DicomVR.US, (ushort)12);
                        ds.AddOrUpdate(DicomTags.HighBit, DicomVR.US, (ushort)11);
                        ds.AddOrUpdate(DicomTags.PixelRepresentation, DicomVR.US, (ushort)0);
                        ds.AddOrUpdate(DicomTags.PixelData, DicomVR.OW, Enumerable.Range(0, 64).Select(v => (ushort)((v * 61) % 4096)).ToArray());
                        new DicomFile(ds, DicomTransferSyntax.ExplicitVRLittleEndian).Save(Path.Combine(directory, $"{i + 1:D3}.dcm"), new DicomWriteOptions { FlushToDisk = false });
                        files++;
                    }
                }
            }
        }

        return files;
    }
}
