#!/usr/bin/python3
"""PyTorch CPU reference benchmark for self-attention modules used in vision.

Run with the Debian PyTorch (apt-get install python3-torch):
    /usr/bin/python3 scripts/bench/torch_ref.py [options] > torch.jsonl
or let gaze run it beside its own timings:  gaze bench --torch auto

The cases, shapes and JSON keys are those of `gaze bench --output json`
(trainers/app/bench/bench_case.cpp), so the two outputs join on "case".

Every module is written in plain torch.nn (no torchvision) so that a C++
framework can re-implement exactly the same computation and be compared
case by case.

Conventions (shared by all cases unless a case says otherwise):
  * float32, torch.manual_seed(0) before each case is built, so any subset of
    cases sees the same weights and inputs;
  * --threads N (default 2) sets both the ATen/oneDNN OpenMP pool
    (torch.set_num_threads) and OpenBLAS's own pthread pool, which
    torch.set_num_threads does not control;
  * module in train mode (BatchNorm uses batch statistics), input
    requires_grad;
  * fwd    = one forward pass (autograd graph recorded, then dropped);
    fwdbwd = forward + backward of out.sum(); parameter and input grads are
             reset (set to None) between iterations, outside the timed region;
  * --warmup (5) untimed iterations, then the median of --iters (20) timed
    iterations, in milliseconds;
  * OpenBLAS runs the kernels of this CPU's widest vector unit, as gaze does:
    Debian's OpenBLAS 0.3.21 gives a CPU it does not know (a recent Xeon was
    reported) its SSE3 "Prescott" kernels, so unless OPENBLAS_CORETYPE is set
    already it is set here, before torch loads OpenBLAS (which reads it once).

  * peak memory: "peak_rss_mb" is the process's peak resident set (VmHWM)
    over building the case and all its iterations; it is restarted before each
    case by writing "5" to /proc/self/clear_refs (Linux), and the large cases
    (--cases large) each run in a subprocess of their own, so none sees
    another's memory. On a GPU, "peak_alloc_mb" is
    torch.cuda.max_memory_allocated; on the CPU PyTorch counts no such figure.

Output: one JSON object per line (default) or CSV (--csv).
"""

import argparse
import csv
import ctypes
import ctypes.util
import gc
import json
import os
import statistics
import subprocess
import sys
import time


def best_openblas_core():
    """The OpenBLAS core for this CPU's widest vector unit (backends/openblas_core.cpp's rule)."""
    flags = set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    break
    except OSError:
        return None
    if {"avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"} <= flags:
        return "SkylakeX"
    if {"avx2", "fma"} <= flags:
        return "Haswell"
    if "avx" in flags:
        return "SandyBridge"
    return None


if not os.environ.get("OPENBLAS_CORETYPE") and best_openblas_core():
    os.environ["OPENBLAS_CORETYPE"] = best_openblas_core()
    OPENBLAS_CORE_REASON = "set by torch_ref.py for this CPU"
else:
    OPENBLAS_CORE_REASON = "OPENBLAS_CORETYPE from the environment" if os.environ.get("OPENBLAS_CORETYPE") else "OpenBLAS's own choice"

import torch  # noqa: E402  (after OPENBLAS_CORETYPE: OpenBLAS reads it when it loads)
import torch.nn as nn
import torch.nn.functional as F


# ----------------------------------------------------------------------------
# Modules
# ----------------------------------------------------------------------------

class NonLocalBlock(nn.Module):
    """Non-local block, Wang et al. 2018 ("Non-local Neural Networks").

    z = W_z(y) + x,  y_i = sum_j f(x_i, x_j) g(x_j) / C(x)
    theta, phi, g: 1x1 convs C -> C/2 (with bias); W_z: 1x1 conv C/2 -> C
    followed by BatchNorm whose weight (and bias) start at zero, so the block
    is the identity at initialisation.

    mode:
      embedded  f = softmax_j(theta_i^T phi_j)
      gaussian  f = softmax_j(x_i^T x_j)            (no theta/phi)
      dot       f = theta_i^T phi_j / Npos
      concat    f = ReLU(w_f^T [theta_i, phi_j]) / Npos; the pair tensor
                (N, C, Nq, Nk) is built by broadcasting theta and phi, and w_f
                is a bias-free 1x1 conv 2*(C/2) -> 1.
    Npos is the number of key positions (after sub-sampling).
    sub_sample: max-pool phi and g (kernel (1,2,2) in 3D, 2 in 2D).
    """

    MODES = ("embedded", "gaussian", "dot", "concat")

    def __init__(self, channels, mode="embedded", dim=2, sub_sample=False):
        super().__init__()
        assert mode in self.MODES and dim in (2, 3)
        conv = nn.Conv2d if dim == 2 else nn.Conv3d
        batchnorm = nn.BatchNorm2d if dim == 2 else nn.BatchNorm3d
        inter = channels // 2
        self.mode = mode
        self.g = conv(channels, inter, 1)
        if mode != "gaussian":
            self.theta = conv(channels, inter, 1)
            self.phi = conv(channels, inter, 1)
        if mode == "concat":
            self.w_f = nn.Conv2d(2 * inter, 1, 1, bias=False)
        if sub_sample:
            self.pool = nn.MaxPool3d((1, 2, 2)) if dim == 3 else nn.MaxPool2d(2)
        else:
            self.pool = nn.Identity()
        self.w_z = nn.Sequential(conv(inter, channels, 1), batchnorm(channels))
        nn.init.zeros_(self.w_z[1].weight)
        nn.init.zeros_(self.w_z[1].bias)

    def forward(self, x):
        n, spatial = x.shape[0], x.shape[2:]
        g_x = self.pool(self.g(x)).flatten(2).transpose(1, 2)       # (N, Nk, C')
        if self.mode == "gaussian":
            theta_x = x.flatten(2)                                  # (N, C, Nq)
            phi_x = self.pool(x).flatten(2)                         # (N, C, Nk)
        else:
            theta_x = self.theta(x).flatten(2)                      # (N, C', Nq)
            phi_x = self.pool(self.phi(x)).flatten(2)               # (N, C', Nk)
        npos = phi_x.shape[-1]

        if self.mode in ("embedded", "gaussian"):
            f = torch.softmax(torch.bmm(theta_x.transpose(1, 2), phi_x), dim=-1)
        elif self.mode == "dot":
            f = torch.bmm(theta_x.transpose(1, 2), phi_x) / npos
        else:  # concat
            nq = theta_x.shape[-1]
            pairs = torch.cat([theta_x.unsqueeze(3).expand(-1, -1, nq, npos),
                               phi_x.unsqueeze(2).expand(-1, -1, nq, npos)], dim=1)
            f = F.relu(self.w_f(pairs)).squeeze(1) / npos           # (N, Nq, Nk)

        y = torch.bmm(f, g_x)                                        # (N, Nq, C')
        y = y.transpose(1, 2).reshape(n, -1, *spatial)
        return self.w_z(y) + x


class SqueezeExcitation(nn.Module):
    """Hu et al. 2018: x * sigmoid(FC(ReLU(FC(avgpool(x))))), FCs with bias."""

    def __init__(self, channels, reduction=16):
        super().__init__()
        hidden = channels // reduction
        self.fc = nn.Sequential(nn.Linear(channels, hidden), nn.ReLU(),
                                nn.Linear(hidden, channels), nn.Sigmoid())

    def forward(self, x):
        s = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return x * self.fc(s)[:, :, None, None]


class ChannelAttention(nn.Module):
    """CBAM channel gate: sigmoid(MLP(avgpool(x)) + MLP(maxpool(x))), shared MLP."""

    def __init__(self, channels, reduction=16):
        super().__init__()
        hidden = channels // reduction
        self.mlp = nn.Sequential(nn.Linear(channels, hidden), nn.ReLU(),
                                 nn.Linear(hidden, channels))

    def forward(self, x):
        avg = F.adaptive_avg_pool2d(x, 1).flatten(1)
        mx = F.adaptive_max_pool2d(x, 1).flatten(1)
        scale = torch.sigmoid(self.mlp(avg) + self.mlp(mx))
        return x * scale[:, :, None, None]


class SpatialAttention(nn.Module):
    """CBAM spatial gate: sigmoid(conv7x7([mean_c(x), max_c(x)])), conv without
    bias and without BatchNorm (paper formulation)."""

    def __init__(self, kernel_size=7):
        super().__init__()
        self.conv = nn.Conv2d(2, 1, kernel_size, padding=kernel_size // 2, bias=False)

    def forward(self, x):
        pooled = torch.cat([x.mean(dim=1, keepdim=True),
                            torch.max(x, dim=1, keepdim=True).values], dim=1)
        return x * torch.sigmoid(self.conv(pooled))


class CBAM(nn.Module):
    """Woo et al. 2018: channel attention followed by spatial attention."""

    def __init__(self, channels, reduction=16, kernel_size=7):
        super().__init__()
        self.channel = ChannelAttention(channels, reduction)
        self.spatial = SpatialAttention(kernel_size)

    def forward(self, x):
        return self.spatial(self.channel(x))


class PositionAttention(nn.Module):
    """DANet PAM (Fu et al. 2019), as in the authors' code.

    Q, K: 1x1 conv C -> C/8; V: 1x1 conv C -> C (all with bias).
    A = softmax(Q^T K) over the last dim; out = V A^T; gamma * out + x.
    """

    def __init__(self, channels, gamma=0.0):
        super().__init__()
        self.query = nn.Conv2d(channels, channels // 8, 1)
        self.key = nn.Conv2d(channels, channels // 8, 1)
        self.value = nn.Conv2d(channels, channels, 1)
        self.gamma = nn.Parameter(torch.full((1,), float(gamma)))

    def forward(self, x):
        n, c, h, w = x.shape
        q = self.query(x).view(n, -1, h * w).permute(0, 2, 1)        # (N, HW, C/8)
        k = self.key(x).view(n, -1, h * w)                           # (N, C/8, HW)
        attention = torch.softmax(torch.bmm(q, k), dim=-1)           # (N, HW, HW)
        v = self.value(x).view(n, -1, h * w)                         # (N, C, HW)
        out = torch.bmm(v, attention.permute(0, 2, 1)).view(n, c, h, w)
        return self.gamma * out + x


class ChannelAttentionDANet(nn.Module):
    """DANet CAM (Fu et al. 2019), as in the authors' code.

    energy = X X^T (C x C); energy_new = rowmax(energy) - energy;
    A = softmax(energy_new) over the last dim; out = A X; gamma * out + x.
    """

    def __init__(self, gamma=0.0):
        super().__init__()
        self.gamma = nn.Parameter(torch.full((1,), float(gamma)))

    def forward(self, x):
        n, c, h, w = x.shape
        q = x.view(n, c, -1)                                         # (N, C, HW)
        energy = torch.bmm(q, q.permute(0, 2, 1))                    # (N, C, C)
        energy_new = torch.max(energy, -1, keepdim=True)[0].expand_as(energy) - energy
        attention = torch.softmax(energy_new, dim=-1)
        out = torch.bmm(attention, q).view(n, c, h, w)
        return self.gamma * out + x


class BasicBlock(nn.Module):
    """ResNet basic block; projection shortcut (1x1 conv + BN) when the shape changes."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Identity()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                          nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class CBAMResNet(nn.Module):
    """Small ResNet for 1x28x28 inputs: stem conv3x3 1->32 + BN + ReLU; three
    stages of one BasicBlock (32, 64, 128 channels; strides 1, 2, 2), each
    block followed by CBAM(reduction 16); global average pool; Linear -> 10."""

    def __init__(self, num_classes=10, widths=(32, 64, 128), strides=(1, 2, 2)):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, widths[0], 3, padding=1, bias=False),
                                  nn.BatchNorm2d(widths[0]), nn.ReLU())
        layers, cin = [], widths[0]
        for cout, stride in zip(widths, strides):
            layers += [BasicBlock(cin, cout, stride), CBAM(cout)]
            cin = cout
        self.stages = nn.Sequential(*layers)
        self.fc = nn.Linear(cin, num_classes)

    def forward(self, x):
        x = self.stages(self.stem(x))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


# ----------------------------------------------------------------------------
# Threads and timing
# ----------------------------------------------------------------------------

def _load_openblas():
    for name in ("libopenblas.so.0", ctypes.util.find_library("openblas")):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)  # the instance torch already loaded
        except OSError:
            continue
        if hasattr(lib, "openblas_set_num_threads"):
            return lib
    return None


_OPENBLAS = _load_openblas()


def set_threads(n):
    torch.set_num_threads(n)
    if _OPENBLAS is not None:
        _OPENBLAS.openblas_set_num_threads(n)


DEVICE = torch.device("cpu")


def sync():
    if DEVICE.type == "cuda":
        torch.cuda.synchronize()


def time_ms(fn, warmup, iters, reset=None):
    """Wall times of fn() in ms, warm-up excluded; reset() runs untimed before each call.
    On a GPU the device is synchronized before and after each timed call."""
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        times = []
        for i in range(warmup + iters):
            if reset is not None:
                reset()
            sync()
            t0 = time.perf_counter()
            fn()
            sync()
            t1 = time.perf_counter()
            if i >= warmup:
                times.append((t1 - t0) * 1e3)
    finally:
        if gc_was_enabled:
            gc.enable()
    return times


def summarize(times):
    q1, _, q3 = statistics.quantiles(times, n=4) if len(times) > 1 else (times[0],) * 3
    return {"median": statistics.median(times), "min": min(times), "iqr": q3 - q1}


def shape_str(shape):
    return "x".join(str(s) for s in shape)


# ----------------------------------------------------------------------------
# Cases
# ----------------------------------------------------------------------------

def module_case(make_module, shape):
    """A module applied to one random input: time fwd and fwd + bwd of out.sum()."""

    def run(args):
        module = make_module().train().to(DEVICE)
        x = torch.randn(*shape).to(DEVICE).requires_grad_()
        out = module(x)
        assert out.shape == x.shape, (out.shape, x.shape)

        def reset():
            module.zero_grad(set_to_none=True)
            x.grad = None

        fwd = time_ms(lambda: module(x), args.warmup, args.iters)
        fwdbwd = time_ms(lambda: module(x).sum().backward(), args.warmup, args.iters, reset)
        return {"shape": shape_str(shape), "fwd": fwd, "fwdbwd": fwdbwd}

    return run


def gemm_case(n):
    """C = A B with n x n float32 matrices (OpenBLAS sgemm), forward only."""

    def run(args):
        a, b, c = (t.to(DEVICE) for t in (torch.randn(n, n), torch.randn(n, n), torch.empty(n, n)))
        fwd = time_ms(lambda: torch.mm(a, b, out=c), args.warmup, args.iters)
        gflops = 2 * n ** 3 / (statistics.median(fwd) * 1e-3) / 1e9
        return {"shape": shape_str((n, n, n)), "fwd": fwd, "fwdbwd": None, "gflops": gflops}

    return run


def train_step_case(batch=64):
    """One SGD step of CBAMResNet on random MNIST-sized data.

    fwd    = forward + cross-entropy loss (graph recorded);
    fwdbwd = forward + loss + backward + optimizer.step() (grads set to None
             before each step, untimed). The input is data: no input grad.
    """

    def run(args):
        model = CBAMResNet().train().to(DEVICE)
        x = torch.randn(batch, 1, 28, 28).to(DEVICE)
        y = torch.randint(0, 10, (batch,)).to(DEVICE)
        criterion = nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

        def step():
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()

        fwd = time_ms(lambda: criterion(model(x), y), args.warmup, args.iters)
        fwdbwd = time_ms(step, args.warmup, args.iters,
                         reset=lambda: optimizer.zero_grad(set_to_none=True))
        loss = criterion(model(x), y).item()
        assert loss == loss, "loss is NaN"
        return {"shape": shape_str(x.shape), "fwd": fwd, "fwdbwd": fwdbwd}

    return run


IMG = (8, 64, 32, 32)

CASES = {
    "gemm_1024": gemm_case(1024),
    "conv3x3": module_case(lambda: nn.Conv2d(64, 64, 3, padding=1, bias=False), IMG),
    "nonlocal2d_embedded": module_case(lambda: NonLocalBlock(64, "embedded"), IMG),
    "nonlocal2d_gaussian": module_case(lambda: NonLocalBlock(64, "gaussian"), IMG),
    "nonlocal2d_dot": module_case(lambda: NonLocalBlock(64, "dot"), IMG),
    "nonlocal2d_concat": module_case(lambda: NonLocalBlock(64, "concat"), (8, 64, 16, 16)),
    "nonlocal3d_embedded": module_case(
        lambda: NonLocalBlock(64, "embedded", dim=3, sub_sample=True), (4, 64, 8, 14, 14)),
    "se": module_case(lambda: SqueezeExcitation(64, 16), IMG),
    "cbam": module_case(lambda: CBAM(64, 16), IMG),
    # gamma is 0 at init in DANet; 0.5 here so that gradients reach every weight.
    "danet_pam": module_case(lambda: PositionAttention(64, gamma=0.5), IMG),
    "danet_cam": module_case(lambda: ChannelAttentionDANet(gamma=0.5), IMG),
    "train_step_cbam_resnet": train_step_case(64),
}

# Only run on request (--cases large): the attention map is 512 MiB, 1 GiB and 648 MiB.
LARGE_CASES = {
    "nonlocal2d_embedded_64px": module_case(lambda: NonLocalBlock(64, "embedded"), (8, 64, 64, 64)),
    "nonlocal2d_embedded_128px": module_case(lambda: NonLocalBlock(64, "embedded"), (1, 64, 128, 128)),
    "danet_pam_96px": module_case(lambda: PositionAttention(64, gamma=0.5), (2, 64, 96, 96)),
}

# Only run on request (--cases gemm_2048 or --peak).
EXTRA_CASES = {"gemm_2048": gemm_case(2048), **LARGE_CASES}


def status_kib(field):
    """A "Field:  N kB" line of /proc/self/status, or None."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def restart_peak_memory():
    gc.collect()
    if DEVICE.type == "cuda":
        torch.cuda.synchronize()
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def run_case(name, threads, args):
    set_threads(threads)
    restart_peak_memory()
    torch.manual_seed(0)
    res = {**CASES, **EXTRA_CASES}[name](args)
    peak_rss_kib = status_kib("VmHWM")
    fwd = summarize(res["fwd"])
    row = {
        "case": name,
        "impl": f"pytorch-{torch.__version__}" + ("-cuda" if DEVICE.type == "cuda" else ""),
        "threads": threads,
        "fwd_ms": round(fwd["median"], 4),
        "fwdbwd_ms": None,
        "shape": res["shape"],
    }
    if res["fwdbwd"] is not None:
        row["fwdbwd_ms"] = round(summarize(res["fwdbwd"])["median"], 4)
    if "gflops" in res:
        row["gflops"] = round(res["gflops"], 2)
    row["peak_alloc_mb"] = (round(torch.cuda.max_memory_allocated() / 2**20, 1)
                            if DEVICE.type == "cuda" else None)
    row["peak_rss_mb"] = None if peak_rss_kib is None else round(peak_rss_kib / 1024, 1)
    if args.stats:
        for key in ("fwd", "fwdbwd"):
            if res[key] is not None:
                s = summarize(res[key])
                row[f"{key}_min_ms"] = round(s["min"], 4)
                row[f"{key}_iqr_ms"] = round(s["iqr"], 4)
    return row


def theoretical_peak(flops_per_cycle_per_core=32):
    """AVX2 FMA: 2 FMA pipes x 8 float lanes x 2 flops = 32 flops/cycle/core."""
    mhz = []
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("cpu MHz"):
                mhz.append(float(line.split(":")[1]))
    ghz = statistics.mean(mhz) / 1e3
    per_core = ghz * flops_per_cycle_per_core
    return {"case": "theoretical_peak", "cpu_ghz": round(ghz, 4), "cores": len(mhz),
            "flops_per_cycle_per_core": flops_per_cycle_per_core,
            "gflops_per_core": round(per_core, 2),
            "gflops_all_cores": round(per_core * len(mhz), 2)}


# ----------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------

CSV_FIELDS = ["case", "impl", "threads", "shape", "fwd_ms", "fwdbwd_ms", "gflops", "peak_alloc_mb", "peak_rss_mb",
              "fwd_min_ms", "fwd_iqr_ms", "fwdbwd_min_ms", "fwdbwd_iqr_ms"]


def run_in_subprocess(name, threads, args):
    """run_case in a fresh interpreter, so that its peak RSS is its own."""
    command = [sys.executable, os.path.abspath(__file__), "--in-subprocess", "--cases", name,
               "--threads", str(threads), "--warmup", str(args.warmup), "--iters", str(args.iters),
               "--device", args.device] + (["--stats"] if args.stats else [])
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)
    rows = [line for line in done.stdout.splitlines() if line and not line.startswith("#")]
    return json.loads(rows[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iters", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--cases", default="all",
                        help="comma-separated case names, 'all' (default) or 'large' "
                             "(each in a subprocess); extra: " + ", ".join(EXTRA_CASES))
    parser.add_argument("--in-subprocess", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--csv", action="store_true", help="print CSV instead of JSON lines")
    parser.add_argument("--stats", action="store_true",
                        help="also report min and inter-quartile range of the timings")
    parser.add_argument("--peak", action="store_true",
                        help="instead of the cases: sgemm 2048^3 at 1 and 2 threads, "
                             "and the theoretical AVX2-FMA peak")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"),
                        help="run the cases on the CPU (default) or the first GPU")
    args = parser.parse_args()
    global DEVICE
    DEVICE = torch.device(args.device)

    if args.list:
        print("\n".join(list(CASES) + list(EXTRA_CASES)))
        return
    if _OPENBLAS is None:
        print("warning: OpenBLAS not found; its thread count is not controlled",
              file=sys.stderr)
    else:
        _OPENBLAS.openblas_get_corename.restype = ctypes.c_char_p
        core = _OPENBLAS.openblas_get_corename().decode()
        print(f"# torch_ref.py: PyTorch {torch.__version__}, OpenBLAS core {core} ({OPENBLAS_CORE_REASON})",
              file=sys.stderr)

    if args.peak:
        jobs = [("gemm_2048", t) for t in (1, 2)]
    else:
        names = (list(CASES) if args.cases == "all" else
                 list(LARGE_CASES) if args.cases == "large" else args.cases.split(","))
        unknown = [n for n in names if n not in CASES and n not in EXTRA_CASES]
        if unknown:
            parser.error(f"unknown case(s): {', '.join(unknown)}")
        jobs = [(n, args.threads) for n in names]

    writer = None
    if args.csv:
        writer = csv.DictWriter(sys.stdout, CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
    for name, threads in jobs:
        if name in LARGE_CASES and not args.in_subprocess:
            row = run_in_subprocess(name, threads, args)
        else:
            row = run_case(name, threads, args)
        if writer:
            writer.writerow(row)
        else:
            print(json.dumps(row))
        sys.stdout.flush()
    if args.peak:
        peak = json.dumps(theoretical_peak())
        print(f"# {peak}" if args.csv else peak)


if __name__ == "__main__":
    main()
