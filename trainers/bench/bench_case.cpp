#include "trainers/bench/bench_case.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "autograd/ops.h"
#include "backends/registry.h"
#include "framework/error.h"

namespace gaze::bench {
namespace {

std::string shape_text(const Shape& shape) { return fmt::format("{}", fmt::join(shape, "x")); }

double median_ms(const std::function<void()>& fn, const std::function<void()>& reset, int warmup, int iters) {
  std::vector<double> times;
  for (int i = 0; i < warmup + iters; ++i) {
    if (reset) reset();
    auto t0 = std::chrono::steady_clock::now();
    fn();
    auto t1 = std::chrono::steady_clock::now();
    if (i >= warmup) times.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(times.begin(), times.end());
  size_t n = times.size();
  return n % 2 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
}

// C = A·B with n×n f32 matrices into a preallocated C, as torch.mm(a, b, out=c).
CaseRun gemm(int64_t n) {
  Tensor a = randn({1, n, n}), b = randn({1, n, n}), c = empty({1, n, n});
  CaseRun run;
  run.forward = [a, b, c] { kernel_backend(Op::matmul, DType::f32).matmul(c.arg(), a.arg(), b.arg()); };
  run.shape = shape_text({n, n, n});
  run.flops = 2.0 * n * n * n;
  return run;
}

// A module applied to one random input; `forward` builds the module's graph on x.
CaseRun module_case(const Shape& shape, const std::vector<Tensor>& parameters, std::function<Tensor(const Tensor&)> forward) {
  Tensor x = randn(shape).set_requires_grad(true);
  CaseRun run;
  run.forward = [x, forward] { forward(x); };
  run.forward_backward = [x, forward] { sum(forward(x)).backward(); };
  run.reset = [x, parameters] {
    Tensor(x).zero_grad();
    for (Tensor p : parameters) p.zero_grad();
  };
  run.shape = shape_text(shape);
  return run;
}

// PyTorch's default conv init (kaiming uniform, a = sqrt(5)): U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
Tensor conv_weight(const Shape& shape) {
  double fan_in = static_cast<double>(numel(shape) / shape[0]);
  double bound = 1.0 / std::sqrt(fan_in);
  return uniform(shape, -bound, bound).set_requires_grad(true);
}

const Shape kImage{8, 64, 32, 32};

std::vector<Case> make_cases() {
  auto later = [](const char* layer) {
    return fmt::format("needs the {} layer, which this build does not have yet", layer);
  };
  std::vector<Case> cases;
  cases.push_back({"gemm_1024", "", [] { return gemm(1024); }});
  cases.push_back({"conv3x3", "", [] {
                     Tensor w = conv_weight({64, 64, 3, 3});
                     return module_case(kImage, {w}, [w](const Tensor& x) { return conv2d(x, w, Tensor(), {.padding = {1}}); });
                   }});
  for (const char* name : {"nonlocal2d_embedded", "nonlocal2d_gaussian", "nonlocal2d_dot", "nonlocal2d_concat", "nonlocal3d_embedded"})
    cases.push_back({name, later("NonLocal"), nullptr});
  cases.push_back({"se", later("SqueezeExcitation"), nullptr});
  cases.push_back({"cbam", later("CBAM"), nullptr});
  cases.push_back({"danet_pam", later("PositionAttention"), nullptr});
  cases.push_back({"danet_cam", later("ChannelAttention"), nullptr});
  cases.push_back({"train_step_cbam_resnet", later("CBAM ResNet model and the SGD optimizer"), nullptr});
  return cases;
}

}  // namespace

const std::vector<Case>& all_cases() {
  static const std::vector<Case> cases = make_cases();
  return cases;
}

Timing run_case(const Case& c, int warmup, int iters) {
  if (!c.unavailable.empty()) fail("bench: case '{}' is unavailable: {}", c.name, c.unavailable);
  manual_seed(0);
  CaseRun run = c.build();
  Timing t;
  t.shape = run.shape;
  t.fwd_ms = median_ms(run.forward, nullptr, warmup, iters);
  if (run.forward_backward) t.fwdbwd_ms = median_ms(run.forward_backward, run.reset, warmup, iters);
  if (run.flops > 0) t.gflops = run.flops / (t.fwd_ms * 1e-3) / 1e9;
  return t;
}

}  // namespace gaze::bench
