#!/usr/bin/python3
"""Reference DICOM JSON from pydicom, for NodeAgent's codec conformance tests.

Reads file paths, one per line, on stdin; prints one JSON line per file:
  {"file": PATH, "ok": true, "big_endian": BOOL, "suppressed": [TAG...], "json": <to_json_dict()>}
  {"file": PATH, "ok": false, "error": "<exception type>"}
Bulk values are always inline. File meta (group 0002) is not included, as in to_json_dict.

Two documented adjustments make pydicom apply the same rules as NodeAgent where pydicom has no rule:
* A private element of unknown VR (UN) whose value starts with an item tag (FFFE,E000) is read
  as an implicit VR little endian sequence (NodeAgent reads private sequences in implicit VR).
* Elements pydicom cannot convert to JSON (e.g. IS "1A") are dropped by pydicom's
  suppress_invalid_tags; their tags are listed in "suppressed" so the comparison can tell.
Run with Debian's /usr/bin/python3, which has python3-pydicom.
"""
import json
import sys
import warnings

import pydicom
from pydicom.dataelem import DataElement
from pydicom.values import convert_SQ

warnings.simplefilter("ignore")
ITEM_TAG = b"\xfe\xff\x00\xe0"


def read_private_sequences(ds):
    for elem in list(ds):
        if elem.VR == "SQ":
            for item in elem.value:
                read_private_sequences(item)
        elif elem.tag.is_private and elem.VR == "UN" and isinstance(elem.value, bytes) and elem.value[:4] == ITEM_TAG:
            try:
                seq = convert_SQ(elem.value, True, True, ds._character_set, 0)
            except Exception:
                continue
            ds[elem.tag] = DataElement(elem.tag, "SQ", seq)
            for item in seq:
                read_private_sequences(item)


def tags_of(ds, prefix=""):
    found = set()
    for elem in ds:
        key = prefix + format(elem.tag, "08X")
        found.add(key)
        if elem.VR == "SQ":
            for i, item in enumerate(elem.value):
                found |= tags_of(item, f"{key}[{i}].")
    return found


def json_tags(doc, prefix=""):
    found = set()
    for key, elem in doc.items():
        path = prefix + key
        found.add(path)
        if elem.get("vr") == "SQ":
            for i, item in enumerate(elem.get("Value", [])):
                found |= json_tags(item, f"{path}[{i}].")
    return found


def main():
    out = sys.stdout
    for line in sys.stdin:
        path = line.rstrip("\n")
        if not path:
            continue
        try:
            ds = pydicom.dcmread(path, force=True)
            read_private_sequences(ds)
            suppressed = []
            try:
                doc = ds.to_json_dict(bulk_data_threshold=1 << 62)
            except Exception:
                doc = ds.to_json_dict(bulk_data_threshold=1 << 62, suppress_invalid_tags=True)
                suppressed = sorted(tags_of(ds) - json_tags(doc))
            record = {"file": path, "ok": True, "big_endian": not ds.is_little_endian,
                      "suppressed": suppressed, "json": doc}
        except Exception as exc:  # report, never crash: one bad file must not hide the others
            record = {"file": path, "ok": False, "error": type(exc).__name__}
        out.write(json.dumps(record, ensure_ascii=False))
        out.write("\n")
        out.flush()


if __name__ == "__main__":
    main()
