// The benchmark cases of `gaze bench`: the same cases, shapes and protocol as
// ../shared/bench/torch_ref.py, so the two outputs join on `case`.
//
// Protocol (torch_ref.py's): f32; generator seeded 0 before each case is built; modules in
// training mode, input requiring grad; fwd = one forward (graph recorded, then dropped);
// fwdbwd = forward + backward of out.sum(), gradients reset (untimed) between iterations;
// `warmup` untimed iterations, then the median of `iters` timed ones. Peak memory covers the
// whole case: building it and every iteration (peak_memory.h).
//
// The large cases (Non-local and PAM at high resolution, where the attention map takes GiBs)
// run only when asked for by name or as `--cases large`.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "framework/device.h"
#include "layers/attention/attention_impl.h"

namespace gaze::bench {

struct CaseRun {
  std::function<void()> forward;                     // one timed forward
  std::function<void()> forward_backward;            // empty for forward-only cases
  std::function<void()> reset;                       // untimed, before each forward_backward
  std::string shape;                                 // as torch_ref.py prints it, "8x64x32x32"
  double flops = 0.0;                                // of one forward, when known (GEMM)
};

struct Case {
  std::string name;
  std::string unavailable;  // why it cannot run in this build, or empty
  // Tensors and modules made on (or moved to) the device; attention layers built with the impl.
  std::function<CaseRun(Device, AttentionImpl)> build;
  bool large = false;       // not in the default selection
};

const std::vector<Case>& all_cases();

struct Timing {
  double fwd_ms = 0.0;
  std::optional<double> fwdbwd_ms;
  std::optional<double> gflops;
  std::string shape;
  size_t peak_allocated_bytes = 0;        // tensor storage live at once, at most
  std::optional<size_t> peak_rss_bytes;   // the process's peak resident set during the case
};

// On a GPU each timed iteration ends with a synchronization, so the time is the kernels', not
// the launches'.
Timing run_case(const Case& c, int warmup, int iters, Device device = Device::cpu(),
                AttentionImpl attention_impl = AttentionImpl::automatic);

}  // namespace gaze::bench
