// Built when GAZE_WITH_CUDA is off or the toolkit was not found: CUDA tensors cannot be made,
// and every call says so.
#include "backends/cuda/cuda_memory.h"
#include "backends/cuda/cuda_runtime_info.h"
#include "framework/error.h"

namespace gaze {

namespace {
constexpr const char* kNoCuda =
    "this build has no CUDA support (configure with nvcc, the CUDA toolkit, cuBLAS and cuDNN installed)";
}

CudaRuntimeInfo cuda_runtime_info() {
  CudaRuntimeInfo info;
  info.no_device_reason = kNoCuda;
  return info;
}

namespace cuda {

std::string unavailable_reason() { return kNoCuda; }
int device_count() { return 0; }
void check_device(int index) { fail("cuda:{}: {}", index, kNoCuda); }
void use_device(int index) { check_device(index); }
int current_device() { fail("CUDA: {}", kNoCuda); }
void* allocate(size_t nbytes, int device) { fail("cannot allocate {} bytes on cuda:{}: {}", nbytes, device, kNoCuda); }
void release(void*, size_t, int) {}
CachingAllocatorStats memory_stats(int device) { check_device(device); return {}; }
void empty_cache(int) {}
void reset_peak_memory(int) {}
void copy_host_to_device(void*, const void*, size_t, int device) { check_device(device); }
void copy_device_to_host(void*, const void*, size_t, int device) { check_device(device); }
void copy_device_to_device(void*, int dst_device, const void*, int, size_t) { check_device(dst_device); }
void synchronize(int device) { check_device(device); }
void* pinned_allocate(size_t nbytes) { fail("cannot allocate {} bytes of pinned host memory: {}", nbytes, kNoCuda); }
void pinned_release(void*) {}

}  // namespace cuda
}  // namespace gaze
