#!/usr/bin/env python3
"""Writes safetensors_fixture.safetensors byte by byte from the format's specification.

The machine's python3 has neither torch nor safetensors, so this file stands in for one written
by `safetensors.torch.save_file`: it is built with struct and json alone, laid out as the
reference writer lays out its files (header JSON with "__metadata__" first, compact separators,
padded with spaces to a multiple of 8 bytes; data little-endian and back to back), but with the
header's entries listed in a different order from their data, which the format allows and a
reader must handle. It has no gaze.checksum, as files from other tools do not.

    python3 tests/golden/make_safetensors_fixture.py   # rewrites the fixture beside this script
"""
import json
import os
import struct

# name -> (dtype, shape, struct format char, values), in the order of their data in the file.
TENSORS = [
    ("conv.weight", "F32", [2, 3], "f", [1.5, -2.0, 0.25, 3.0, -0.125, 1024.0]),
    ("bn.running_var", "F64", [3], "d", [0.1, 2.5, -1e-300]),
    ("labels", "I64", [2], "q", [-7, 2**40 + 3]),
    ("scale", "F32", [], "f", [0.5]),
    ("empty", "I64", [0, 4], "q", []),
]
METADATA = {"format": "pt", "source": "hand-built per the safetensors spec"}
# The order the header lists the entries in: not the data's.
HEADER_ORDER = ["labels", "conv.weight", "empty", "scale", "bn.running_var"]


def main():
    data = b""
    entries = {}
    for name, dtype, shape, fmt, values in TENSORS:
        raw = struct.pack("<%d%s" % (len(values), fmt), *values)
        entries[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    header = {"__metadata__": METADATA}
    for name in HEADER_ORDER:
        header[name] = entries[name]
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "safetensors_fixture.safetensors")
    with open(out, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)
    print(out, 8 + len(text) + len(data), "bytes")


if __name__ == "__main__":
    main()
