// The CUDA backend end to end, through tensors and modules: copies, host reads, the allocator,
// a model moved with Module::to and trained one step, compared with the same on the CPU. Needs a
// GPU; without one each case prints "skipped (<why>): cuda <case>" and passes.
#include <doctest/doctest.h>

#include "autograd/ops.h"
#include "framework/device_memory.h"
#include "framework/backend_registry.h"
#include "framework/error.h"
#include "layers/batch_norm.h"
#include "layers/conv.h"
#include "layers/linear.h"
#include "layers/sequential.h"
#include "layers/simple_layers.h"
#include "tests/support/temp_dir.h"
#include "trainers/lib/io/safetensors.h"

using namespace gaze;

namespace {

bool gpu_here(const char* what) {
  if (cuda_backend_built() && gpu_memory().device_count() > 0) return true;
  std::string why = cuda_backend_built() ? "no CUDA device: " + gpu_memory().unavailable_reason() : "this build has no CUDA backend";
  MESSAGE("skipped (" << why << "): cuda " << std::string(what));
  return false;
}

const Device kGpu = Device::cuda(0);

void check_worst_within(const Tensor& got, const Tensor& want, double tol) {
  std::vector<double> g = got.to_vector<double>(), w = want.to_vector<double>();
  REQUIRE(g.size() == w.size());
  double worst = 0.0;
  for (size_t i = 0; i < g.size(); ++i) worst = std::max(worst, std::abs(g[i] - w[i]) / (1.0 + std::abs(w[i])));
  CHECK(worst <= tol);
}

}  // namespace

TEST_CASE("cuda: host-device copies, views and host reads") {
  if (!gpu_here("copies and host reads")) return;
  Tensor host = arange(0.0, 24.0, 1.0, DType::f32);
  Tensor gpu = reshape(host, {2, 3, 4}).to(kGpu);
  CHECK(gpu.device() == kGpu);
  CHECK(gpu.to(kGpu).same(gpu));
  CHECK(gpu.to(Device::cpu()).to_vector<float>() == host.to_vector<float>());
  Tensor view = transpose(gpu, 0, 2);  // a strided view of GPU memory, read back through a GPU copy kernel
  CHECK(view.to_vector<double>() == transpose(reshape(host, {2, 3, 4}), 0, 2).to_vector<double>());
  CHECK(gpu.at({1, 2, 3}) == 23.0);
  CHECK(sum(gpu).item() == 276.0);
  CHECK(gpu.str().find("device=cuda:0") != std::string::npos);
  Tensor pinned = host.pin_memory();
  CHECK(pinned.is_pinned());
  CHECK(pinned.to(kGpu).to_vector<float>() == host.to_vector<float>());
  Tensor into = zeros({24}, DType::f64, kGpu);
  into.copy_(host);  // across devices and dtypes
  CHECK(into.to_vector<double>() == host.to_vector<double>());
  CHECK_THROWS_WITH_AS(add(host, reshape(gpu, {24})), doctest::Contains("different devices"), Error);
  CHECK((gpu * scalar_tensor(2.0)).at({0, 0, 1}) == 2.0);  // a CPU scalar joins a GPU op
}

TEST_CASE("cuda: the caching allocator reuses blocks and reports use and peak") {
  if (!gpu_here("allocator")) return;
  gpu_memory().synchronize(0);
  size_t before = gpu_memory().memory_stats(0).in_use;
  {
    Tensor a = empty({1 << 20}, DType::f32, kGpu);
    CHECK(gpu_memory().memory_stats(0).in_use >= before + (4u << 20));
  }
  CHECK(gpu_memory().memory_stats(0).in_use == before);
  size_t hits = gpu_memory().memory_stats(0).hits;
  Tensor b = empty({1 << 20}, DType::f32, kGpu);
  CHECK(gpu_memory().memory_stats(0).hits == hits + 1);
  CHECK_THROWS_WITH_AS(empty({int64_t{1} << 45}, DType::f32, kGpu), doctest::Contains("out of memory on cuda:0"), Error);
}

TEST_CASE("cuda: a model moved with Module::to trains one step like the same model on the CPU") {
  if (!gpu_here("module training step")) return;
  auto make = [] {
    manual_seed(3);
    return std::make_shared<Sequential>(std::initializer_list<std::shared_ptr<Module>>{
        std::make_shared<Conv>(ConvLayerOptions{.in_channels = 3, .out_channels = 8, .kernel = {3}, .padding = {1}}),
        std::make_shared<BatchNorm>(BatchNormOptions{.channels = 8}), std::make_shared<ReLU>(),
        std::make_shared<AdaptiveAvgPool>(std::vector<int64_t>{1, 1}), std::make_shared<Flatten>(),
        std::make_shared<Linear>(8, 5)});
  };
  auto cpu = make(), gpu = make();
  gpu->to(kGpu);
  for (auto& [name, t] : gpu->named_parameters()) CHECK(t.device() == kGpu);
  Generator g(7);
  Tensor x = randn({4, 3, 9, 9}, DType::f32, &g);
  Tensor y = from_vector(std::vector<int64_t>{0, 3, 1, 4}, {4});
  Tensor loss_cpu = cross_entropy(cpu->forward(x), y);
  Tensor loss_gpu = cross_entropy(gpu->forward(x.to(kGpu)), y.to(kGpu));
  CHECK(loss_gpu.item() == doctest::Approx(loss_cpu.item()).epsilon(1e-4));
  loss_cpu.backward();
  loss_gpu.backward();
  auto pc = cpu->named_parameters(), pg = gpu->named_parameters();
  for (size_t i = 0; i < pc.size(); ++i) {
    CAPTURE(pc[i].first);
    REQUIRE(pg[i].second.grad().defined());
    CHECK(pg[i].second.grad().device() == kGpu);
    check_worst_within(pg[i].second.grad(), pc[i].second.grad(), 1e-3);
  }
  gpu->to(Device::cpu());
  CHECK(gpu->named_parameters()[0].second.device() == Device::cpu());
}

TEST_CASE("cuda: GPU tensors save to safetensors (read back to the host) and load into a CPU tensor") {
  if (!gpu_here("safetensors of GPU tensors")) return;
  test::TempDir dir("cuda-safetensors");
  Generator g(11);
  Tensor host = randn({3, 5}, DType::f32, &g);
  Tensor strided = transpose(host.to(kGpu), 0, 1);  // a non-contiguous GPU view
  save_safetensors(dir / "w.safetensors", {{"w", strided}});
  SafetensorsFile file = load_safetensors(dir / "w.safetensors");
  REQUIRE(file.tensors.size() == 1);
  CHECK(file.tensors[0].second.device() == Device::cpu());
  CHECK(file.tensors[0].second.to_vector<float>() == contiguous(transpose(host, 0, 1)).to_vector<float>());
}

TEST_CASE("cuda: fused attention through autograd on GPU tensors matches the CPU, values and gradients") {
  if (!gpu_here("fused attention through autograd")) return;
  for (DType dt : {DType::f32, DType::f64}) {
    CAPTURE(dtype_name(dt));
    Generator g(23);
    // 70 queries and 90 keys: neither a multiple of the 64-row blocks; batch 2; k given transposed,
    // so the op makes a contiguous copy on the GPU first.
    Tensor q = uniform({2, 70, 17}, -2.0, 2.0, dt, &g), kt = uniform({2, 17, 90}, -2.0, 2.0, dt, &g);
    Tensor v = uniform({2, 90, 33}, -1.0, 1.0, dt, &g), w = uniform({2, 70, 33}, -1.0, 1.0, dt, &g);
    auto run = [&](Device device) {
      Tensor qd = q.to(device).set_requires_grad(true), ktd = kt.to(device).set_requires_grad(true);
      Tensor vd = v.to(device).set_requires_grad(true);
      Tensor out = fused_attention(qd, transpose(ktd, 1, 2), vd, 0.3);
      CHECK(out.device() == device);
      sum(out * w.to(device)).backward();
      return std::vector<Tensor>{out, qd.grad(), ktd.grad(), vd.grad()};
    };
    std::vector<Tensor> cpu = run(Device::cpu()), gpu = run(kGpu);
    double tol = dt == DType::f64 ? 1e-9 : 1e-4;
    for (size_t i = 0; i < cpu.size(); ++i) {
      CAPTURE(i);
      REQUIRE(gpu[i].defined());
      CHECK(gpu[i].device() == kGpu);
      check_worst_within(gpu[i], cpu[i], tol);
    }
  }
}
