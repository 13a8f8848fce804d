#!/usr/bin/python3
"""PyTorch DistributedDataParallel's training throughput on this machine's CPUs, to set beside
gaze's data-parallel runs (docs/distributed.md, "Measurements").

    /usr/bin/python3 scripts/bench/torch_ddp_throughput.py --ranks 2 --threads 1 --batch 64

trains torch_ref.py's CBAMResNet (the model of gaze's train_step_cbam_resnet bench case and of
configs/classification/cbam_resnet.yaml: widths 32/64/128, CBAM reduction 16) with DDP over the
gloo backend: --ranks processes on this machine, each with --threads threads (ATen's OpenMP pool
and OpenBLAS's) and --batch random 1x28x28 images per step (the global batch is ranks x batch),
SGD with Nesterov momentum 0.9, lr 0.1, weight decay 5e-4. After --warmup steps it times --steps
steps between two barriers and prints the images per second of all ranks together as one JSON
line. Random tensors, no data loading: PyTorch's best case (gaze's figures include its loader).

OpenMP's wait policy is PyTorch's own (libgomp spins) unless OMP_WAIT_POLICY is set in the
environment, which the ranks inherit.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_ref  # noqa: E402  (sets OPENBLAS_CORETYPE before torch loads OpenBLAS)
import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
import torch.multiprocessing as mp  # noqa: E402
import torch.nn as nn  # noqa: E402


def rank_main(rank, args, port):
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    dist.init_process_group("gloo", rank=rank, world_size=args.ranks)
    torch_ref.set_threads(args.threads)
    torch.manual_seed(0)
    model = nn.parallel.DistributedDataParallel(torch_ref.CBAMResNet().train())
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
    criterion = nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(1 + rank)
    x = torch.randn(args.batch, 1, 28, 28, generator=generator)
    y = torch.randint(0, 10, (args.batch,), generator=generator)

    def step():
        optimizer.zero_grad(set_to_none=True)
        criterion(model(x), y).backward()
        optimizer.step()

    for _ in range(args.warmup):
        step()
    dist.barrier()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    dist.barrier()
    seconds = time.perf_counter() - start
    if rank == 0:
        images = args.ranks * args.batch * args.steps
        print(json.dumps({"ranks": args.ranks, "threads_per_rank": args.threads, "batch_per_rank": args.batch,
                          "steps": args.steps, "seconds": round(seconds, 3), "images_per_s": round(images / seconds, 1),
                          "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "libgomp default (active)"),
                          "torch": torch.__version__}), flush=True)
    dist.destroy_process_group()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ranks", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--threads", type=int, default=1, help="threads per process (default 1)")
    parser.add_argument("--batch", type=int, default=64, help="images per rank per step (default 64)")
    parser.add_argument("--steps", type=int, default=25, help="timed steps (default 25)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps first (default 3)")
    parser.add_argument("--port", type=int, default=29517, help="the rendezvous port on 127.0.0.1 (default 29517)")
    args = parser.parse_args()
    if args.ranks < 1 or args.threads < 1 or args.batch < 1 or args.steps < 1 or args.warmup < 0:
        parser.error("--ranks, --threads, --batch and --steps must be at least 1, --warmup at least 0")
    mp.spawn(rank_main, args=(args, args.port), nprocs=args.ranks, join=True)


if __name__ == "__main__":
    main()
