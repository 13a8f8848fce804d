// Devices without a GPU: parsing, the errors for CUDA tensors where no GPU (or no CUDA build)
// exists, the mixed-device error, and the host-pointer guard. Runs on every machine; on a machine
// with a GPU the cases that need its absence are skipped.
#include <doctest/doctest.h>

#include "autograd/ops.h"
#include "framework/device_memory.h"
#include "framework/backend_registry.h"
#include "framework/error.h"
#include "framework/tensor.h"

using namespace gaze;

namespace {

// A tensor that claims to live on `device` over host memory it never touches: enough to reach
// the device checks, which fire before any kernel would read it.
Tensor fake_on(Device device, std::vector<float>& memory, const Shape& shape, DType dtype = DType::f32) {
  auto impl = std::make_shared<TensorImpl>();
  impl->dtype = dtype;
  impl->storage = Storage::borrow(memory.data(), memory.size() * sizeof(float), device);
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  return Tensor(impl);
}

}  // namespace

TEST_CASE("devices parse and print") {
  CHECK(parse_device("cpu") == Device::cpu());
  CHECK(parse_device("cuda") == Device::cuda(0));
  CHECK(parse_device("cuda:3") == Device::cuda(3));
  CHECK(Device::cuda(1).str() == "cuda:1");
  CHECK_THROWS_WITH_AS(parse_device("gpu"), "unknown device 'gpu': expected 'cpu', 'cuda' or 'cuda:N'", Error);
  CHECK_THROWS_AS(parse_device("cuda:"), Error);
  CHECK_THROWS_AS(parse_device("cuda:-1"), Error);
  CHECK_THROWS_AS(parse_device("cuda:1x"), Error);
}

TEST_CASE("ops on tensors of two devices name both devices") {
  std::vector<float> memory(6, 0.0f);
  Tensor gpu = fake_on(Device::cuda(0), memory, {2, 3});
  Tensor cpu = ones({2, 3});
  CHECK_THROWS_WITH_AS(add(cpu, gpu), doctest::Contains("add: tensors are on different devices (cpu and cuda:0"), Error);
  CHECK_THROWS_WITH_AS(matmul(cpu, transpose(gpu, 0, 1)), doctest::Contains("cpu and cuda:0"), Error);
  CHECK_THROWS_WITH_AS(cat({cpu, gpu}, 0), doctest::Contains("different devices"), Error);
  CHECK_THROWS_WITH_AS(cross_entropy(cpu, fake_on(Device::cuda(0), memory, {2}, DType::i64)),
                       doctest::Contains("cross_entropy: tensors are on different devices (cpu and cuda:0"), Error);
}

TEST_CASE("a GPU tensor's memory is not addressable from the host") {
  std::vector<float> memory(4, 0.0f);
  Tensor gpu = fake_on(Device::cuda(0), memory, {4});
  CHECK_THROWS_WITH_AS(gpu.data<float>(), doctest::Contains("is on cuda:0, whose memory the host cannot address"), Error);
  CHECK(gpu.raw_data() == memory.data());  // the kernels' pointer is still there
  CHECK_THROWS_WITH_AS(set_cpu_backend("cuda"), doctest::Contains("cannot be selected as the CPU backend"), Error);
}

TEST_CASE("without a GPU, CUDA tensors are a clear error naming the reason") {
  if (gpu_memory().device_count() > 0) {
    MESSAGE("skipped (a CUDA device is present): the no-GPU error messages");
    return;
  }
  std::string reason = gpu_memory().unavailable_reason();
  CHECK(!reason.empty());
  CHECK_THROWS_WITH_AS(empty({2}, DType::f32, Device::cuda()), doctest::Contains(reason.c_str()), Error);
  CHECK_THROWS_WITH_AS(ones({2}).to(Device::cuda(0)), doctest::Contains("cuda:0"), Error);
  CHECK_THROWS_WITH_AS(kernel_backend(Op::fill, DType::f32, Device::cuda(0)), doctest::Contains(reason.c_str()), Error);
  CHECK_THROWS_AS(empty_pinned({2}), Error);
  CHECK(ones({2}).to(Device::cpu()).to_vector<float>() == std::vector<float>{1, 1});  // same device: no copy, no GPU
}
