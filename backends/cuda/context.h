// Per-device state of the CUDA backend: the one stream, the cuBLAS and cuDNN handles bound to it
// and the caching allocator. Created on first use, so a build with CUDA starts as fast as one
// without and touches no GPU until a CUDA tensor is made.
#pragma once
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cudnn.h>

#include <memory>

#include "framework/caching_allocator.h"

namespace gaze::cuda {

class DeviceContext {
 public:
  explicit DeviceContext(int index);
  ~DeviceContext();
  DeviceContext(const DeviceContext&) = delete;
  DeviceContext& operator=(const DeviceContext&) = delete;

  int index() const { return index_; }
  cudaStream_t stream() const { return stream_; }
  cublasHandle_t cublas();  // created on first use (cuBLAS's initialization is slow)
  cudnnHandle_t cudnn();    // likewise (cuDNN loads its sub-libraries)
  CachingAllocator& allocator() { return *allocator_; }

 private:
  int index_;
  cudaStream_t stream_ = nullptr;
  cublasHandle_t cublas_ = nullptr;
  cudnnHandle_t cudnn_ = nullptr;
  std::unique_ptr<RawAllocator> raw_;
  std::unique_ptr<CachingAllocator> allocator_;
};

DeviceContext& context(int index);
// The calling thread's current device (use_device()).
DeviceContext& current_context();
// The stream every kernel of the current device is queued on.
inline cudaStream_t current_stream() { return current_context().stream(); }

// Scratch memory on the current device from the caching allocator, released at scope end:
// workspaces and temporaries. Stream order makes the release safe right after the launch.
class DeviceBuffer {
 public:
  explicit DeviceBuffer(size_t nbytes);
  ~DeviceBuffer();
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }

 private:
  void* data_ = nullptr;
  size_t nbytes_ = 0;
  int device_ = 0;
};

// Whether TF32 tensor-core math is allowed for f32 GEMM and convolution: off unless
// GAZE_CUDA_TF32=1, so f32 results match the reference to f32 precision by default.
bool allow_tf32();

}  // namespace gaze::cuda
