// The CUDA backend's memory functions (cuda_memory.h) as the framework's DeviceMemory, so
// Storage and Tensor reach the GPU without naming this backend.
#include "backends/cuda/cuda_memory.h"

namespace gaze::cuda {

namespace {

class CudaDeviceMemory final : public DeviceMemory {
 public:
  std::string unavailable_reason() override { return cuda::unavailable_reason(); }
  int device_count() override { return cuda::device_count(); }
  void check_device(int index) override { cuda::check_device(index); }
  void use_device(int index) override { cuda::use_device(index); }
  int current_device() override { return cuda::current_device(); }
  void* allocate(size_t nbytes, int device) override { return cuda::allocate(nbytes, device); }
  void release(void* data, size_t nbytes, int device) override { cuda::release(data, nbytes, device); }
  CachingAllocatorStats memory_stats(int device) override { return cuda::memory_stats(device); }
  void empty_cache(int device) override { cuda::empty_cache(device); }
  void reset_peak_memory(int device) override { cuda::reset_peak_memory(device); }
  void copy_host_to_device(void* dst, const void* src, size_t nbytes, int device) override {
    cuda::copy_host_to_device(dst, src, nbytes, device);
  }
  void copy_device_to_host(void* dst, const void* src, size_t nbytes, int device) override {
    cuda::copy_device_to_host(dst, src, nbytes, device);
  }
  void copy_device_to_device(void* dst, int dst_device, const void* src, int src_device, size_t nbytes) override {
    cuda::copy_device_to_device(dst, dst_device, src, src_device, nbytes);
  }
  void synchronize(int device) override { cuda::synchronize(device); }
  void* pinned_allocate(size_t nbytes) override { return cuda::pinned_allocate(nbytes); }
  void pinned_release(void* data) override { cuda::pinned_release(data); }
};

}  // namespace

DeviceMemory& cuda_device_memory() {
  static CudaDeviceMemory memory;
  return memory;
}

}  // namespace gaze::cuda
