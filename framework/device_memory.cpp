#include "framework/device_memory.h"

#include "framework/error.h"

namespace gaze {

namespace {

constexpr const char* kNoGpu =
    "this build has no CUDA support (configure with nvcc, the CUDA toolkit, cuBLAS and cuDNN installed)";

// A build without a GPU backend: GPU tensors cannot be made, and every call says so.
class AbsentDeviceMemory final : public DeviceMemory {
 public:
  std::string unavailable_reason() override { return kNoGpu; }
  int device_count() override { return 0; }
  void check_device(int index) override { fail("cuda:{}: {}", index, kNoGpu); }
  void use_device(int index) override { check_device(index); }
  int current_device() override { fail("CUDA: {}", kNoGpu); }
  void* allocate(size_t nbytes, int device) override { fail("cannot allocate {} bytes on cuda:{}: {}", nbytes, device, kNoGpu); }
  void release(void*, size_t, int) override {}
  CachingAllocatorStats memory_stats(int device) override {
    check_device(device);
    return {};
  }
  void empty_cache(int) override {}
  void reset_peak_memory(int) override {}
  void copy_host_to_device(void*, const void*, size_t, int device) override { check_device(device); }
  void copy_device_to_host(void*, const void*, size_t, int device) override { check_device(device); }
  void copy_device_to_device(void*, int dst_device, const void*, int, size_t) override { check_device(dst_device); }
  void synchronize(int device) override { check_device(device); }
  void* pinned_allocate(size_t nbytes) override { fail("cannot allocate {} bytes of pinned host memory: {}", nbytes, kNoGpu); }
  void pinned_release(void*) override {}
};

DeviceMemory*& registered() {
  static AbsentDeviceMemory absent;
  static DeviceMemory* memory = &absent;
  return memory;
}

}  // namespace

DeviceMemory& gpu_memory() { return *registered(); }

void register_gpu_memory(DeviceMemory& memory) { registered() = &memory; }

}  // namespace gaze
