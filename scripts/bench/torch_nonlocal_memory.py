#!/usr/bin/env python3
"""PyTorch's peak memory for one training step (forward + backward) of a Non-local block
(embedded Gaussian, the authors' materialized form: bmm, softmax, bmm) on [B, C, S, S], next to
the map-size formula B·N²·4 bytes (N = S²) times the copies alive at once.

Each size runs in a fresh interpreter, so its peak resident set (VmHWM) is its own; the
interpreter's and torch's own footprint (the same block on a 4 × 4 map) is subtracted. Memory
does not depend on the machine's load, so the numbers hold on a busy machine. Run it under a
memory cap, e.g. `ulimit -v 12000000`, and keep 3·B·N²·4 well under the machine's memory.

  /usr/bin/python3 scripts/bench/torch_nonlocal_memory.py --batch 8 --channels 16 --sizes 32,48,64,80
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def peak_rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def one_step(batch, channels, side):
    import torch
    from torch_ref import NonLocalBlock
    torch.set_num_threads(2)
    torch.manual_seed(0)
    block = NonLocalBlock(channels, "embedded")
    x = torch.randn(batch, channels, side, side, requires_grad=True)
    block(x).sum().backward()
    return peak_rss_kib()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--channels", type=int, default=16)
    parser.add_argument("--sizes", default="32,48,64")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(one_step(args.batch, args.channels, args.one))
        return

    def measure(side):
        out = subprocess.run([sys.executable, os.path.abspath(__file__), "--batch", str(args.batch), "--channels",
                              str(args.channels), "--one", str(side)], stdout=subprocess.PIPE, text=True, check=True)
        return int(out.stdout.split()[-1])

    base = measure(4)
    for side in (int(s) for s in args.sizes.split(",")):
        positions = side * side
        map_mib = args.batch * positions * positions * 4 / 2**20
        step_mib = (measure(side) - base) / 1024
        print(json.dumps({"batch": args.batch, "channels": args.channels, "side": side, "positions": positions,
                          "map_mib": round(map_mib, 1), "peak_above_base_mib": round(step_mib, 1),
                          "copies": round(step_mib / map_mib, 2)}), flush=True)


if __name__ == "__main__":
    main()
