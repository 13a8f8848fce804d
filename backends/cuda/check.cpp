#include "backends/cuda/check.h"
#include "backends/cuda/cublas_library.h"

#include "framework/error.h"

namespace gaze::cuda {

void check_cuda(cudaError_t status, const char* call) {
  if (status == cudaSuccess) return;
  cudaGetLastError();  // clear a non-sticky error so the next call starts clean
  fail("CUDA call {} failed: {} ({})", call, cudaGetErrorName(status), cudaGetErrorString(status));
}

void check_cublas(cublasStatus_t status, const char* call) {
  if (status == CUBLAS_STATUS_SUCCESS) return;
  fail("cuBLAS call {} failed: {} ({})", call, cublas_library().status_name(status), cublas_library().status_string(status));
}

void check_cudnn(cudnnStatus_t status, const char* call) {
  if (status == CUDNN_STATUS_SUCCESS) return;
  fail("cuDNN call {} failed: {}", call, cudnnGetErrorString(status));
}

}  // namespace gaze::cuda
