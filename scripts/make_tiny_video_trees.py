#!/usr/bin/env python3
"""Writes tiny video datasets in the layouts gaze's readers expect, for the reduced-size configs
configs/action/datasets/rawframes_c2d.yaml, configs/reid/datasets/mars_c3d.yaml and configs/reid/datasets/duke_video_c3d.yaml
(and for trying a reader by hand). Python's standard library only: frames are PNG files (stb_image
reads them whatever their name), MARS's info/*.mat files MATLAB Level 5 with compressed variables.

  python3 scripts/make_tiny_video_trees.py [OUT]      # OUT defaults to runs/tiny

OUT/rawframes   mmaction2 rawframes: 4 classes of moving squares, train_list.txt, val_list.txt
OUT/mars        MARS: bbox_train/, bbox_test/, info/ (names, tracks_*_info.mat, query_IDX.mat)
OUT/duke_video  DukeMTMC-VideoReID: train/, query/, gallery/ of <pid>/<tracklet>/ folders
"""
import os
import random
import struct
import sys
import zlib


def png(path, width, height, pixel):
    """An RGB PNG whose pixel (x, y) is pixel(x, y) -> (r, g, b)."""
    rows = b"".join(b"\x00" + bytes(c for x in range(width) for c in pixel(x, y)) for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def mat_file(path, name, rows):
    """A Level 5 MAT-file holding one double matrix `name` (rows: lists of numbers), compressed."""
    def element(kind, data):
        return struct.pack("<II", kind, len(data)) + data + b"\x00" * ((8 - len(data) % 8) % 8)

    n_rows, n_cols = len(rows), len(rows[0])
    values = [rows[r][c] for c in range(n_cols) for r in range(n_rows)]  # column-major
    body = (element(6, struct.pack("<II", 6, 0)) + element(5, struct.pack("<ii", n_rows, n_cols))
            + element(1, name.encode()) + element(9, struct.pack("<%dd" % len(values), *values)))
    packed = zlib.compress(element(14, body))
    header = b"MATLAB 5.0 MAT-file, written by gaze's make_tiny_video_trees.py".ljust(116, b" ") + b"\x00" * 8 + b"\x00\x01IM"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(header + struct.pack("<II", 15, len(packed)) + packed)


def moving_square(label, t, width=48, height=40, side=10):
    """Class 0-3: a square moving right, left, down, up; background and colour vary by video."""
    dx, dy = [(1, 0), (-1, 0), (0, 1), (0, -1)][label]
    x0, y0 = (width - side) // 2 + 2 * dx * (t - 8), (height - side) // 2 + 2 * dy * (t - 8)
    return lambda x, y: (230, 200, 40) if x0 <= x < x0 + side and y0 <= y < y0 + side else (30, 60, 90)


def write_rawframes(out, rng):
    for split, videos in (("train", 16), ("val", 8)):
        lines = []
        for v in range(videos):
            label, frames = v % 4, rng.randint(14, 20)
            folder = "%s/video_%03d" % (split, v)
            for t in range(frames):
                png(os.path.join(out, folder, "img_%05d.png" % (t + 1)), 48, 40, moving_square(label, t))
            lines.append("%s %d %d" % (folder, frames, label))
        with open(os.path.join(out, "%s_list.txt" % split), "w") as f:
            f.write("\n".join(lines) + "\n")


def person(pid, camera, t):
    """An 'identity': its colours from the pid, a little shift per camera and frame."""
    top, bottom = ((pid * 53) % 200 + 40, (pid * 97) % 200 + 40, 120), (90, (pid * 31) % 200 + 40, (pid * 71) % 200 + 40)
    shift = (camera + t) % 3
    return lambda x, y: (top if y < 16 + shift else bottom) if 4 <= x < 12 else (20 * camera, 20, 20)


def write_mars(out, rng):
    for home, pids, name_file, info_file, var in (("bbox_train", range(1, 9), "train_name.txt", "tracks_train_info.mat", "track_train_info"),
                                                  ("bbox_test", range(11, 17), "test_name.txt", "tracks_test_info.mat", "track_test_info")):
        names, rows, queries = [], [], []
        tracks = [(pid, cam) for pid in pids for cam in (1, 2, 3)]
        if home == "bbox_test":
            tracks += [(0, 4), (-1, 5)]  # a distractor and a junk tracklet
        for n, (pid, cam) in enumerate(tracks, start=1):
            folder = "00-1" if pid < 0 else "%04d" % pid
            frames = rng.randint(4, 9)
            first = len(names) + 1
            for f in range(1, frames + 1):
                name = "%sC%dT%04dF%03d.png" % (folder, cam, n, f)
                png(os.path.join(out, home, folder, name), 16, 32, person(max(pid, 0), cam, f))
                names.append(name)
            rows.append([first, len(names), pid, cam])
            if home == "bbox_test" and cam == 1 and pid > 0:
                queries.append([len(rows)])
        os.makedirs(os.path.join(out, "info"), exist_ok=True)
        with open(os.path.join(out, "info", name_file), "w") as f:
            f.write("\n".join(names) + "\n")
        mat_file(os.path.join(out, "info", info_file), var, rows)
        if home == "bbox_test":
            mat_file(os.path.join(out, "info", "query_IDX.mat"), "query_IDX", queries)


def write_duke(out, rng):
    n = 0
    for split, pids, cameras in (("train", range(1, 9), (1, 2, 3)), ("query", range(11, 17), (1,)), ("gallery", range(11, 19), (2, 3))):
        for pid in pids:
            for cam in cameras:
                n += 1
                for f in range(1, rng.randint(4, 9) + 1):
                    name = "%04d_C%d_F%04d_X%05d.png" % (pid, cam, f, n)
                    png(os.path.join(out, split, "%04d" % pid, "%04d" % n, name), 16, 32, person(pid, cam, f))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "runs/tiny"
    rng = random.Random(0)
    write_rawframes(os.path.join(out, "rawframes"), rng)
    write_mars(os.path.join(out, "mars"), rng)
    write_duke(os.path.join(out, "duke_video"), rng)
    print("wrote %s/rawframes, %s/mars, %s/duke_video" % (out, out, out))


if __name__ == "__main__":
    main()
