// The CUDA backend's device memory, without CUDA headers: device selection, memory from the
// caching allocator, copies and synchronization, implemented in context.cpp. The framework
// reaches these through the DeviceMemory interface (framework/device_memory.h), which
// cuda_device_memory() implements and backends/builtin_backends.cpp registers.
//
// Streams: each device has one stream; every kernel and copy on that device goes on it, so work
// is ordered without events. Reads to the host (copy_device_to_host) wait for the stream.
#pragma once
#include <cstddef>
#include <string>

#include "framework/caching_allocator.h"
#include "framework/device_memory.h"

namespace gaze::cuda {

// Empty when CUDA tensors can be made here; otherwise why not ("this build has no CUDA
// support", "no CUDA device is visible", the driver's error).
std::string unavailable_reason();
int device_count();  // 0 when unavailable
// Throws a gaze::Error naming the reason when cuda:index cannot be used.
void check_device(int index);
// Makes cuda:index the calling thread's current device (kernels launch there).
void use_device(int index);
int current_device();

void* allocate(size_t nbytes, int device);
void release(void* data, size_t nbytes, int device);
CachingAllocatorStats memory_stats(int device);
void empty_cache(int device);
void reset_peak_memory(int device);

// Copies are queued on the device's stream. Host to device returns once the source may be
// reused (at once from pageable memory, after the copy from pinned memory); device to host
// returns once the data is on the host.
void copy_host_to_device(void* dst, const void* src, size_t nbytes, int device);
void copy_device_to_host(void* dst, const void* src, size_t nbytes, int device);
void copy_device_to_device(void* dst, int dst_device, const void* src, int src_device, size_t nbytes);
// Waits for everything queued on the device's stream.
void synchronize(int device);

// Page-locked host memory, which the GPU reads by DMA at full speed: for a data loader's
// staging buffers. Releasing waits for the streams first, so a copy still reading it is not cut short.
void* pinned_allocate(size_t nbytes);
void pinned_release(void* data);

// All of the above as the framework's DeviceMemory (framework/device_memory.h).
DeviceMemory& cuda_device_memory();

}  // namespace gaze::cuda
