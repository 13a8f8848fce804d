// Every CUDA, cuBLAS and cuDNN status is checked: a failure throws a gaze::Error naming the call
// and the library's own status string, e.g.
//   "CUDA call cudaMalloc(&data, bytes) failed: cudaErrorMemoryAllocation (out of memory)".
// Included by the .cu files too, so it declares only; check.cpp formats the messages.
#pragma once
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cudnn.h>

namespace gaze::cuda {

void check_cuda(cudaError_t status, const char* call);
void check_cublas(cublasStatus_t status, const char* call);
void check_cudnn(cudnnStatus_t status, const char* call);

}  // namespace gaze::cuda

#define GAZE_CUDA_CHECK(call) ::gaze::cuda::check_cuda((call), #call)
#define GAZE_CUBLAS_CHECK(call) ::gaze::cuda::check_cublas((call), #call)
#define GAZE_CUDNN_CHECK(call) ::gaze::cuda::check_cudnn((call), #call)
// After a kernel launch: a bad launch configuration is reported here, not at the next sync.
#define GAZE_CUDA_CHECK_LAUNCH(kernel_name) ::gaze::cuda::check_cuda(cudaGetLastError(), "launch of " kernel_name)
