// PyTorch's figures for `gaze bench --torch auto`: runs the project's own reference,
// scripts/bench/torch_ref.py, with Debian's /usr/bin/python3 on the same cases, threads and
// iterations, and with OpenBLAS on the same kernels as gaze (OPENBLAS_CORETYPE passed on).
#pragma once
#include <string>
#include <vector>

namespace gaze::bench {

struct TorchRun {
  std::string jsonl;  // the script's JSON lines, empty when it could not run
  std::string why;    // why not, as one line a user can act on
  std::string note;   // what the script said of itself (PyTorch version, OpenBLAS core)
};

// The script's path: beside the gaze binary's source tree (build/<preset>/gaze -> scripts/bench/),
// else the source directory it was built from; empty if neither has it.
std::string torch_reference_script();

TorchRun run_torch_reference(const std::vector<std::string>& cases, int threads, int warmup, int iters);

}  // namespace gaze::bench
