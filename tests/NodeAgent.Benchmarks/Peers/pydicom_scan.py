#!/usr/bin/python3
"""pydicom's header scan, the peer of NodeAgent's: dcmread(stop_before_pixels=True) on every file
of a folder, reading the same attributes. Prints the number of files read."""
import os
import sys

import pydicom

KEYWORDS = ["SOPClassUID", "SOPInstanceUID", "StudyInstanceUID", "SeriesInstanceUID", "PatientID", "Modality",
            "StudyDate", "BodyPartExamined", "PatientSex", "PatientAge", "Manufacturer", "ManufacturerModelName",
            "SliceThickness", "SeriesNumber", "InstanceNumber", "Rows", "Columns"]

count = 0
for root, _, names in os.walk(sys.argv[1]):
    for name in sorted(names):
        if not name.endswith(".dcm"):
            continue
        ds = pydicom.dcmread(os.path.join(root, name), stop_before_pixels=True)
        values = [ds.get(k) for k in KEYWORDS]
        if values[1] is not None:
            count += 1
print(count)
