// What the framework needs from a GPU, without knowing which backend drives it: device
// selection, memory, copies and synchronization. The backend that runs GPU tensors implements
// it and registers it (backends/builtin_backends.cpp registers `cuda`'s); until one is
// registered, every call is an error saying this build cannot make GPU tensors. Storage and
// Tensor reach the GPU only through this interface, so framework/ names no backend.
//
// Streams: each device has one stream; every kernel and copy on that device goes on it, so work
// is ordered without events. Reads to the host (copy_device_to_host) wait for the stream.
#pragma once
#include <cstddef>
#include <string>

#include "framework/caching_allocator.h"

namespace gaze {

class DeviceMemory {
 public:
  virtual ~DeviceMemory() = default;

  // Empty when GPU tensors can be made here; otherwise why not ("this build has no CUDA
  // support", "no CUDA device is visible", the driver's error).
  virtual std::string unavailable_reason() = 0;
  virtual int device_count() = 0;  // 0 when unavailable
  // Throws a gaze::Error naming the reason when device `index` cannot be used.
  virtual void check_device(int index) = 0;
  // Makes device `index` the calling thread's current device (kernels launch there).
  virtual void use_device(int index) = 0;
  virtual int current_device() = 0;

  virtual void* allocate(size_t nbytes, int device) = 0;
  virtual void release(void* data, size_t nbytes, int device) = 0;
  virtual CachingAllocatorStats memory_stats(int device) = 0;
  virtual void empty_cache(int device) = 0;
  virtual void reset_peak_memory(int device) = 0;

  // Copies are queued on the device's stream. Host to device returns once the source may be
  // reused (at once from pageable memory, after the copy from pinned memory); device to host
  // returns once the data is on the host.
  virtual void copy_host_to_device(void* dst, const void* src, size_t nbytes, int device) = 0;
  virtual void copy_device_to_host(void* dst, const void* src, size_t nbytes, int device) = 0;
  virtual void copy_device_to_device(void* dst, int dst_device, const void* src, int src_device, size_t nbytes) = 0;
  // Waits for everything queued on the device's stream.
  virtual void synchronize(int device) = 0;

  // Page-locked host memory, which the GPU reads by DMA at full speed: for a data loader's
  // staging buffers. Releasing waits for the streams first, so a copy still reading it is not cut short.
  virtual void* pinned_allocate(size_t nbytes) = 0;
  virtual void pinned_release(void* data) = 0;
};

// The registered GPU memory, or the stand-in whose every call says this build has none.
DeviceMemory& gpu_memory();
// Called once by the backend that runs GPU tensors, before any GPU tensor is made; `memory`
// must live as long as the program.
void register_gpu_memory(DeviceMemory& memory);

}  // namespace gaze
