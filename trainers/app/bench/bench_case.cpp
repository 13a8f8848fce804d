#include "trainers/app/bench/bench_case.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "autograd/ops.h"
#include "framework/device_memory.h"
#include "framework/backend_registry.h"
#include "framework/error.h"
#include "layers/attention/cbam.h"
#include "layers/attention/danet.h"
#include "layers/attention/non_local.h"
#include "layers/attention/squeeze_excitation.h"
#include "layers/models/resnet.h"
#include "trainers/app/bench/peak_memory.h"
#include "trainers/lib/optim/sgd.h"

namespace gaze::bench {
namespace {

std::string shape_text(const Shape& shape) { return fmt::format("{}", fmt::join(shape, "x")); }

double median_ms(const std::function<void()>& fn, const std::function<void()>& reset, int warmup, int iters, Device device) {
  std::vector<double> times;
  auto wait = [device] {
    if (device.is_cuda()) gpu_memory().synchronize(device.index);
  };
  for (int i = 0; i < warmup + iters; ++i) {
    if (reset) reset();
    wait();
    auto t0 = std::chrono::steady_clock::now();
    fn();
    wait();
    auto t1 = std::chrono::steady_clock::now();
    if (i >= warmup) times.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(times.begin(), times.end());
  size_t n = times.size();
  return n % 2 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
}

// C = A·B with n×n f32 matrices into a preallocated C, as torch.mm(a, b, out=c).
CaseRun gemm(int64_t n, Device device) {
  Tensor a = randn({1, n, n}).to(device), b = randn({1, n, n}).to(device), c = empty({1, n, n}, DType::f32, device);
  CaseRun run;
  run.forward = [a, b, c, device] { kernel_backend(Op::matmul, DType::f32, device).matmul(c.arg(), a.arg(), b.arg()); };
  run.shape = shape_text({n, n, n});
  run.flops = 2.0 * n * n * n;
  return run;
}

// A module applied to one random input; `forward` builds the module's graph on x.
CaseRun module_case(const Shape& shape, const std::vector<Tensor>& parameters, std::function<Tensor(const Tensor&)> forward,
                    Device device) {
  Tensor x = randn(shape).to(device).set_requires_grad(true);
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
Tensor conv_weight(const Shape& shape, Device device) {
  double fan_in = static_cast<double>(numel(shape) / shape[0]);
  double bound = 1.0 / std::sqrt(fan_in);
  return uniform(shape, -bound, bound).to(device).set_requires_grad(true);
}


const Shape kImage{8, 64, 32, 32};

// A Module applied to one random input of `shape`.
CaseRun layer_case(const Shape& shape, std::shared_ptr<Module> module, Device device) {
  module->train();
  module->to(device);
  return module_case(shape, module->parameters(), [module](const Tensor& x) { return module->forward(x); }, device);
}

CaseRun nonlocal_case(const std::string& mode, const Shape& shape, int dims, bool sub_sample, Device device, AttentionImpl impl) {
  return layer_case(shape,
                    std::make_shared<NonLocal>(NonLocalOptions{.channels = 64, .mode = parse_choice<NonLocalMode>(mode), .dims = dims,
                                                               .sub_sample = sub_sample, .attention_impl = impl}),
                    device);
}

// gamma is 0 at init in DANet; 0.5 here (as torch_ref.py) so that gradients reach every weight.
CaseRun pam_case(const Shape& shape, Device device, AttentionImpl impl) {
  return layer_case(shape, std::make_shared<PositionAttention>(PositionAttentionOptions{.channels = 64, .gamma_init = 0.5, .attention_impl = impl}),
                    device);
}

// One SGD step of the CBAM ResNet on random 28×28 data, batch 64: fwd = forward + loss;
// fwdbwd = forward + loss + backward + optimizer step (gradients cleared untimed).
CaseRun train_step_case(int64_t batch, Device device) {
  auto model = std::make_shared<ResNet>(ResNetOptions{.attention = [](int64_t c) {
    return std::make_shared<CBAM>(CBAMOptions{.channels = c, .reduction = 16});
  }});
  model->train();
  model->to(device);
  auto optimizer = std::make_shared<SGD>(model->parameters(), SGDOptions{.lr = 0.1, .momentum = 0.9});
  Tensor x = randn({batch, 1, 28, 28}).to(device);
  std::vector<int64_t> labels;
  Generator g(0);
  for (int64_t i = 0; i < batch; ++i) labels.push_back(static_cast<int64_t>(g.uniform() * 10));
  Tensor y = from_vector(labels, {batch}).to(device);
  CaseRun run;
  run.forward = [model, x, y] { cross_entropy(model->forward(x), y); };
  run.forward_backward = [model, optimizer, x, y] {
    cross_entropy(model->forward(x), y).backward();
    optimizer->step();
  };
  run.reset = [optimizer] { optimizer->zero_grad(); };
  run.shape = shape_text(x.shape());
  return run;
}

std::vector<Case> make_cases() {
  std::vector<Case> cases;
  cases.push_back({"gemm_1024", "", [](Device d, AttentionImpl) { return gemm(1024, d); }});
  cases.push_back({"conv3x3", "", [](Device d, AttentionImpl) {
                     Tensor w = conv_weight({64, 64, 3, 3}, d);
                     return module_case(kImage, {w}, [w](const Tensor& x) { return conv2d(x, w, Tensor(), {.padding = {1}}); }, d);
                   }});
  cases.push_back({"nonlocal2d_embedded", "", [](Device d, AttentionImpl a) { return nonlocal_case("embedded_gaussian", kImage, 2, false, d, a); }});
  cases.push_back({"nonlocal2d_gaussian", "", [](Device d, AttentionImpl a) { return nonlocal_case("gaussian", kImage, 2, false, d, a); }});
  cases.push_back({"nonlocal2d_dot", "", [](Device d, AttentionImpl a) { return nonlocal_case("dot_product", kImage, 2, false, d, a); }});
  cases.push_back({"nonlocal2d_concat", "", [](Device d, AttentionImpl a) { return nonlocal_case("concatenation", {8, 64, 16, 16}, 2, false, d, a); }});
  cases.push_back({"nonlocal3d_embedded", "", [](Device d, AttentionImpl a) { return nonlocal_case("embedded_gaussian", {4, 64, 8, 14, 14}, 3, true, d, a); }});
  cases.push_back({"se", "", [](Device d, AttentionImpl) { return layer_case(kImage, std::make_shared<SqueezeExcitation>(SqueezeExcitationOptions{64, 16}), d); }});
  cases.push_back({"cbam", "", [](Device d, AttentionImpl) { return layer_case(kImage, std::make_shared<CBAM>(CBAMOptions{.channels = 64, .reduction = 16}), d); }});
  cases.push_back({"danet_pam", "", [](Device d, AttentionImpl a) { return pam_case(kImage, d, a); }});
  cases.push_back({"danet_cam", "", [](Device d, AttentionImpl) {
                     return layer_case(kImage, std::make_shared<ChannelAttention>(ChannelAttentionOptions{.channels = 64, .gamma_init = 0.5}), d);
                   }});
  cases.push_back({"train_step_cbam_resnet", "", [](Device d, AttentionImpl) { return train_step_case(64, d); }});
  // Large: the attention map is 512 MiB, 1 GiB and 648 MiB (B·N·N f32 values).
  cases.push_back({"nonlocal2d_embedded_64px", "",
                   [](Device d, AttentionImpl a) { return nonlocal_case("embedded_gaussian", {8, 64, 64, 64}, 2, false, d, a); }, true});
  cases.push_back({"nonlocal2d_embedded_128px", "",
                   [](Device d, AttentionImpl a) { return nonlocal_case("embedded_gaussian", {1, 64, 128, 128}, 2, false, d, a); }, true});
  cases.push_back({"danet_pam_96px", "", [](Device d, AttentionImpl a) { return pam_case({2, 64, 96, 96}, d, a); }, true});
  return cases;
}

}  // namespace

const std::vector<Case>& all_cases() {
  static const std::vector<Case> cases = make_cases();
  return cases;
}

Timing run_case(const Case& c, int warmup, int iters, Device device, AttentionImpl attention_impl) {
  if (!c.unavailable.empty()) fail("bench: case '{}' is unavailable: {}", c.name, c.unavailable);
  manual_seed(0);
  PeakMemory memory(device);
  CaseRun run = c.build(device, attention_impl);
  Timing t;
  t.shape = run.shape;
  t.fwd_ms = median_ms(run.forward, nullptr, warmup, iters, device);
  if (run.forward_backward) t.fwdbwd_ms = median_ms(run.forward_backward, run.reset, warmup, iters, device);
  if (run.flops > 0) t.gflops = run.flops / (t.fwd_ms * 1e-3) / 1e9;
  if (device.is_cuda()) gpu_memory().synchronize(device.index);
  t.peak_allocated_bytes = memory.allocated_bytes();
  t.peak_rss_bytes = memory.rss_bytes();
  return t;
}

}  // namespace gaze::bench
