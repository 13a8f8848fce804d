// The CUDA runtime side of gaze: contexts, memory, copies, synchronization (cuda_memory.h).
#include "backends/cuda/context.h"

#include <cstdlib>
#include <mutex>
#include <vector>

#include "backends/cuda/check.h"
#include "backends/cuda/cublas_library.h"
#include "backends/cuda/cuda_memory.h"
#include "framework/error.h"

namespace gaze::cuda {
namespace {

// cudaMalloc / cudaFree behind the caching allocator; out of memory is nullptr so the cache can
// be emptied and the allocation retried.
class CudaRawAllocator : public RawAllocator {
 public:
  explicit CudaRawAllocator(int device) : device_(device) {}
  void* allocate(size_t bytes) override {
    GAZE_CUDA_CHECK(cudaSetDevice(device_));
    void* data = nullptr;
    cudaError_t status = cudaMalloc(&data, bytes);
    if (status == cudaErrorMemoryAllocation) {
      cudaGetLastError();
      return nullptr;
    }
    GAZE_CUDA_CHECK(status);
    return data;
  }
  void release(void* data, size_t) override { GAZE_CUDA_CHECK(cudaFree(data)); }

 private:
  int device_;
};

struct Devices {
  std::once_flag probed;
  int count = 0;
  std::string reason;
  std::mutex mutex;
  std::vector<std::unique_ptr<DeviceContext>> contexts;
};

Devices& devices() {
  static Devices* instance = new Devices;  // never destroyed: tensors may outlive static destruction
  std::call_once(instance->probed, [] {
    cudaError_t status = cudaGetDeviceCount(&instance->count);
    if (status != cudaSuccess) {
      instance->count = 0;
      instance->reason = fmt::format("cudaGetDeviceCount failed: {} ({})", cudaGetErrorName(status), cudaGetErrorString(status));
      cudaGetLastError();
    } else if (instance->count == 0) {
      instance->reason = "no CUDA device is visible";
    }
    instance->contexts.resize(instance->count);
  });
  return *instance;
}

thread_local int current = -1;

}  // namespace

DeviceContext::DeviceContext(int index) : index_(index) {
  GAZE_CUDA_CHECK(cudaSetDevice(index));
  GAZE_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
  raw_ = std::make_unique<CudaRawAllocator>(index);
  allocator_ = std::make_unique<CachingAllocator>(*raw_, fmt::format("cuda:{}", index));
}

DeviceContext::~DeviceContext() {
  // Contexts live until exit (devices() is never destroyed); kept for completeness.
  allocator_.reset();
  if (cudnn_) cudnnDestroy(cudnn_);
  if (cublas_) cublas_library().destroy(cublas_);
  if (stream_) cudaStreamDestroy(stream_);
}

cublasHandle_t DeviceContext::cublas() {
  if (!cublas_) {
    GAZE_CUDA_CHECK(cudaSetDevice(index_));
    GAZE_CUBLAS_CHECK(cublas_library().create(&cublas_));
    GAZE_CUBLAS_CHECK(cublas_library().set_stream(cublas_, stream_));
    GAZE_CUBLAS_CHECK(cublas_library().set_pointer_mode(cublas_, CUBLAS_POINTER_MODE_HOST));
  }
  return cublas_;
}

cudnnHandle_t DeviceContext::cudnn() {
  if (!cudnn_) {
    GAZE_CUDA_CHECK(cudaSetDevice(index_));
    GAZE_CUDNN_CHECK(cudnnCreate(&cudnn_));
    GAZE_CUDNN_CHECK(cudnnSetStream(cudnn_, stream_));
  }
  return cudnn_;
}

DeviceContext& context(int index) {
  check_device(index);
  Devices& d = devices();
  std::lock_guard<std::mutex> lock(d.mutex);
  if (!d.contexts[index]) d.contexts[index] = std::make_unique<DeviceContext>(index);
  return *d.contexts[index];
}

DeviceContext& current_context() { return context(current_device()); }

DeviceBuffer::DeviceBuffer(size_t nbytes) : nbytes_(nbytes), device_(current_device()) {
  data_ = allocate(nbytes, device_);
}

DeviceBuffer::~DeviceBuffer() { release(data_, nbytes_, device_); }

bool allow_tf32() {
  static const bool allowed = [] {
    const char* env = std::getenv("GAZE_CUDA_TF32");
    return env != nullptr && std::string(env) == "1";
  }();
  return allowed;
}

// ---- cuda_memory.h ------------------------------------------------------------------------

std::string unavailable_reason() { return devices().reason; }
int device_count() { return devices().count; }

void check_device(int index) {
  Devices& d = devices();
  if (d.count == 0) fail("cuda:{} is unavailable: {}", index, d.reason);
  if (index < 0 || index >= d.count)
    fail("cuda:{} does not exist: {} CUDA device{} visible (cuda:0{})", index, d.count, d.count == 1 ? " is" : "s are",
         d.count > 1 ? fmt::format(" to cuda:{}", d.count - 1) : "");
}

void use_device(int index) {
  if (current == index) return;
  check_device(index);
  GAZE_CUDA_CHECK(cudaSetDevice(index));
  current = index;
}

int current_device() {
  if (current < 0) use_device(0);
  return current;
}

void* allocate(size_t nbytes, int device) { return context(device).allocator().allocate(nbytes); }

void release(void* data, size_t nbytes, int device) {
  if (data != nullptr) context(device).allocator().release(data, nbytes);
}

CachingAllocatorStats memory_stats(int device) { return context(device).allocator().stats(); }

void empty_cache(int device) {
  synchronize(device);  // a block still read by a queued kernel must not go back to the driver
  context(device).allocator().empty_cache();
}

void reset_peak_memory(int device) { context(device).allocator().reset_peak(); }

void copy_host_to_device(void* dst, const void* src, size_t nbytes, int device) {
  if (nbytes == 0) return;
  DeviceContext& ctx = context(device);
  GAZE_CUDA_CHECK(cudaMemcpyAsync(dst, src, nbytes, cudaMemcpyHostToDevice, ctx.stream()));
  // From pageable memory the driver has staged the source before cudaMemcpyAsync returns, so
  // the caller may free it and the GPU need not be waited for (dropout masks, batches). From
  // pinned memory the DMA reads the source later: wait, since the caller may free or refill it.
  cudaPointerAttributes attributes{};
  GAZE_CUDA_CHECK(cudaPointerGetAttributes(&attributes, src));
  if (attributes.type == cudaMemoryTypeHost) GAZE_CUDA_CHECK(cudaStreamSynchronize(ctx.stream()));
}

void copy_device_to_host(void* dst, const void* src, size_t nbytes, int device) {
  if (nbytes == 0) return;
  DeviceContext& ctx = context(device);
  GAZE_CUDA_CHECK(cudaMemcpyAsync(dst, src, nbytes, cudaMemcpyDeviceToHost, ctx.stream()));
  GAZE_CUDA_CHECK(cudaStreamSynchronize(ctx.stream()));
}

void copy_device_to_device(void* dst, int dst_device, const void* src, int src_device, size_t nbytes) {
  if (nbytes == 0) return;
  if (dst_device == src_device) {
    GAZE_CUDA_CHECK(cudaMemcpyAsync(dst, src, nbytes, cudaMemcpyDeviceToDevice, context(dst_device).stream()));
    return;
  }
  // Between GPUs: the source's queued work must finish before the peer copy reads it, and the
  // destination's stream must not run ahead of the copy.
  synchronize(src_device);
  GAZE_CUDA_CHECK(cudaMemcpyPeerAsync(dst, dst_device, src, src_device, nbytes, context(dst_device).stream()));
  synchronize(dst_device);
}

void synchronize(int device) { GAZE_CUDA_CHECK(cudaStreamSynchronize(context(device).stream())); }

void* pinned_allocate(size_t nbytes) {
  if (device_count() == 0) fail("cannot allocate {} of pinned host memory: {}", format_bytes(nbytes), unavailable_reason());
  void* data = nullptr;
  GAZE_CUDA_CHECK(cudaHostAlloc(&data, std::max<size_t>(nbytes, 1), cudaHostAllocDefault));
  return data;
}

void pinned_release(void* data) {
  if (data == nullptr) return;
  Devices& d = devices();
  for (int i = 0; i < d.count; ++i)
    if (d.contexts[i]) synchronize(i);
  GAZE_CUDA_CHECK(cudaFreeHost(data));
}

}  // namespace gaze::cuda
