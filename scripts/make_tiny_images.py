#!/usr/bin/env python3
"""Writes tiny image-classification datasets, with nothing but Python's standard library, for the
reduced-size configs configs/classification/imagefolder_resnet.yaml and cifar10_resnet.yaml:

  OUT/imagefolder/{train,val}/CLASS/NNNN.bmp   an ImageFolder tree (24-bit BMP: stdlib Python
                                               cannot write PNG or JPEG)
  OUT/cifar-10-batches-bin/                    CIFAR-10's binary batches, few records each

Each class is a stripe pattern of its own orientation and colour over noise, so a small network
learns it in a few epochs. Usage: python3 scripts/make_tiny_images.py OUT [--classes 4]
[--train 40] [--val 12] [--size 64] [--seed 0]
"""
import argparse
import os
import random
import struct


def picture(rng, label, classes, width, height):
    """Rows of (r, g, b) bytes: stripes at angle label/classes * 180 degrees in a class colour."""
    hue = [(230, 60, 60), (60, 200, 60), (60, 90, 230), (220, 200, 40), (200, 60, 200), (40, 200, 200)]
    colour = hue[label % len(hue)]
    direction = label / max(1, classes)
    period = 6 + rng.randrange(6)
    phase = rng.randrange(period)
    rows = []
    for y in range(height):
        row = []
        for x in range(width):
            t = (x * (1 - direction) + y * direction + phase) % period
            on = t < period / 2
            noise = rng.randrange(40)
            row.append(tuple(min(255, (c if on else 20) + noise) for c in colour))
        rows.append(row)
    return rows


def write_bmp(path, rows):
    height, width = len(rows), len(rows[0])
    stride = (3 * width + 3) // 4 * 4
    data = bytearray()
    for row in reversed(rows):  # BMP stores the bottom row first
        line = bytearray()
        for r, g, b in row:
            line += bytes((b, g, r))
        data += line + bytes(stride - len(line))
    header = struct.pack("<2sIHHI", b"BM", 54 + len(data), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(data), 2835, 2835, 0, 0)
    with open(path, "wb") as f:
        f.write(header + info + data)


def write_cifar_batch(path, rng, count, classes):
    with open(path, "wb") as f:
        for i in range(count):
            label = i % classes
            rows = picture(rng, label, classes, 32, 32)
            planes = bytearray()
            for channel in range(3):
                planes += bytes(pixel[channel] for row in rows for pixel in row)
            f.write(bytes((label,)) + planes)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--classes", type=int, default=4)
    parser.add_argument("--train", type=int, default=40, help="images per class in train/")
    parser.add_argument("--val", type=int, default=12, help="images per class in val/")
    parser.add_argument("--size", type=int, default=64, help="side of the ImageFolder images")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not 2 <= args.classes <= 10:
        parser.error("--classes must be 2 to 10 (CIFAR-10's labels are 0 to 9)")
    rng = random.Random(args.seed)
    for split, per_class in (("train", args.train), ("val", args.val)):
        for label in range(args.classes):
            folder = os.path.join(args.out, "imagefolder", split, f"class_{label}")
            os.makedirs(folder, exist_ok=True)
            for i in range(per_class):
                # Sizes vary around --size, as real photographs do; the transforms crop them.
                width = args.size + rng.randrange(-args.size // 8, args.size // 8 + 1)
                height = args.size + rng.randrange(-args.size // 8, args.size // 8 + 1)
                write_bmp(os.path.join(folder, f"{i:04d}.bmp"), picture(rng, label, args.classes, width, height))
    cifar = os.path.join(args.out, "cifar-10-batches-bin")
    os.makedirs(cifar, exist_ok=True)
    for b in range(1, 6):
        write_cifar_batch(os.path.join(cifar, f"data_batch_{b}.bin"), rng, args.train * args.classes // 5 or 1, args.classes)
    write_cifar_batch(os.path.join(cifar, "test_batch.bin"), rng, args.val * args.classes, args.classes)
    print(f"wrote {args.out}/imagefolder (train, val) and {cifar}")


if __name__ == "__main__":
    main()
