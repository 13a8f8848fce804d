#!/usr/bin/env python3
"""Writes tiny Cityscapes, Pascal VOC and ADE20K trees for the reduced segmentation configs.

Usage: scripts/make_tiny_segmentation.py [ROOT]   (default /tmp/gaze-tiny-segmentation)

Each tree has the real layout and file names (docs/datasets.md), with a few 64 x 32 (Cityscapes)
or 48 x 40 (VOC, ADE20K) scenes: a ground, a sky and a box or two, each class in its own colour
so a few training steps can learn something. Only Python's standard library is used, so the
images are PNG data even where the layout names them .jpg (stb_image decodes by content, not by
name); VOC's labels are real palette PNGs, as SegmentationClass ships them.
"""
import os
import random
import struct
import sys
import zlib


def png_bytes(width, height, rows, colour_type, palette=None):
    """rows: one bytes object per row (grey: 1 byte a pixel, RGB: 3, palette: 1)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    raw = b"".join(b"\x00" + row for row in rows)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
    if palette is not None:
        out += chunk(b"PLTE", b"".join(bytes(c) for c in palette))
    return out + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def voc_palette():
    colours = []
    for label in range(256):
        rgb, c = [0, 0, 0], label
        for bit in range(7, -1, -1):
            for ch in range(3):
                if (c >> ch) & 1:
                    rgb[ch] |= 1 << bit
            c >>= 3
        colours.append(rgb)
    return colours


def scene(width, height, rng, ground, sky, boxes, ignore_border):
    """Labels per pixel: sky above a horizon, ground below, then boxes of the given classes."""
    horizon = rng.randint(height // 3, 2 * height // 3)
    labels = [[sky if y < horizon else ground for x in range(width)] for y in range(height)]
    for cls in boxes:
        w, h = rng.randint(width // 5, width // 3), rng.randint(height // 5, height // 3)
        x0, y0 = rng.randint(0, width - w), rng.randint(0, height - h)
        for y in range(y0, y0 + h):
            for x in range(x0, x0 + w):
                border = ignore_border and (y in (y0, y0 + h - 1) or x in (x0, x0 + w - 1))
                labels[y][x] = 255 if border else cls
    return labels


def colour_of(label):
    return ((label * 67) % 256, (label * 131 + 40) % 256, (label * 29 + 90) % 256) if label != 255 else (128, 128, 128)


def image_rows(labels, rng):
    rows = []
    for row in labels:
        pixels = bytearray()
        for label in row:
            pixels.extend(min(255, max(0, c + rng.randint(-12, 12))) for c in colour_of(label))
        rows.append(bytes(pixels))
    return rows


def cityscapes(root, rng):
    for split, count in (("train", 6), ("val", 2)):
        for k in range(count):
            city = ("aachen", "bremen")[k % 2]
            name = "%s_%06d_000019" % (city, k)
            labels = scene(64, 32, rng, ground=0, sky=10, boxes=[13, 11], ignore_border=False)
            write(f"{root}/leftImg8bit/{split}/{city}/{name}_leftImg8bit.png", png_bytes(64, 32, image_rows(labels, rng), 2))
            write(f"{root}/gtFine/{split}/{city}/{name}_gtFine_labelTrainIds.png",
                  png_bytes(64, 32, [bytes(r) for r in labels], 0))


def voc(root, rng):
    palette = voc_palette()
    for split, count in (("train", 6), ("val", 2)):
        ids = ["2007_%06d" % (100 * (split == "val") + k) for k in range(count)]
        write(f"{root}/ImageSets/Segmentation/{split}.txt", ("\n".join(ids) + "\n").encode())
        for i in ids:
            labels = scene(48, 40, rng, ground=0, sky=0, boxes=[15, 12], ignore_border=True)
            write(f"{root}/JPEGImages/{i}.jpg", png_bytes(48, 40, image_rows(labels, rng), 2))
            write(f"{root}/SegmentationClass/{i}.png", png_bytes(48, 40, [bytes(r) for r in labels], 3, palette))


def ade20k(root, rng):
    for split, count in (("training", 6), ("validation", 2)):
        for k in range(count):
            name = "ADE_%s_%08d" % ("train" if split == "training" else "val", k + 1)
            labels = scene(48, 40, rng, ground=4, sky=3, boxes=[1, 13], ignore_border=False)  # floor, sky, wall, person (+1)
            labels[0][0] = 0  # an "other" pixel: reduce_zero_label ignores it
            write(f"{root}/images/{split}/{name}.jpg", png_bytes(48, 40, image_rows(labels, rng), 2))
            write(f"{root}/annotations/{split}/{name}.png", png_bytes(48, 40, [bytes(r) for r in labels], 0))


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "/tmp/gaze-tiny-segmentation"
    rng = random.Random(0)
    cityscapes(os.path.join(root, "cityscapes"), rng)
    voc(os.path.join(root, "VOCdevkit/VOC2012"), rng)
    ade20k(os.path.join(root, "ADEChallengeData2016"), rng)
    print("wrote", root)


if __name__ == "__main__":
    main()
