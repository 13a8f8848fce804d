// Built when GAZE_WITH_CUDA found the toolkit, cuBLAS and cuDNN.
#include "backends/cuda/cuda_runtime_info.h"

#include <cuda_runtime_api.h>
#include <cudnn.h>
#include <fmt/format.h>

#include "backends/cuda/cublas_library.h"
#include "framework/error.h"

namespace gaze {
namespace {

std::string cuda_version_string(int v) { return fmt::format("{}.{}", v / 1000, (v % 1000) / 10); }

// cuBLAS is opened on first use (backends/cuda/cublas_library.h); a missing one is reported, not fatal.
std::string opened_cublas_version() {
  try {
    const cuda::CublasLibrary& cublas = cuda::cublas_library();
    int major = 0, minor = 0, patch = 0;
    if (cublas.get_property(MAJOR_VERSION, &major) != CUBLAS_STATUS_SUCCESS) return "loaded, but cublasGetProperty failed";
    cublas.get_property(MINOR_VERSION, &minor);
    cublas.get_property(PATCH_LEVEL, &patch);
    return fmt::format("{}.{}.{}", major, minor, patch);
  } catch (const Error& e) {
    return fmt::format("not loaded: {}", e.what());
  }
}

}  // namespace

CudaRuntimeInfo cuda_runtime_info(bool open_cublas) {
  CudaRuntimeInfo info;
  int runtime = 0, driver = 0;
  if (cudaRuntimeGetVersion(&runtime) == cudaSuccess) info.runtime_version = cuda_version_string(runtime);
  if (cudaDriverGetVersion(&driver) == cudaSuccess && driver > 0) info.driver_version = cuda_version_string(driver);
  size_t cudnn = cudnnGetVersion();
  info.cudnn_version = fmt::format("{}.{}.{}", cudnn / 10000, (cudnn % 10000) / 100, cudnn % 100);
  info.cublas_version = open_cublas ? opened_cublas_version()
                                    : fmt::format("{}.{}.{} (the headers'; the library opens at the first GPU matmul)",
                                                  CUBLAS_VER_MAJOR, CUBLAS_VER_MINOR, CUBLAS_VER_PATCH);
  int count = 0;
  cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    info.no_device_reason = fmt::format("cudaGetDeviceCount: {}", cudaGetErrorString(status));
    cudaGetLastError();  // clear the sticky error so later calls start clean
    return info;
  }
  for (int i = 0; i < count; ++i) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, i) != cudaSuccess) continue;
    info.devices.push_back(fmt::format("cuda:{} {} (sm_{}{}, {:.1f} GiB)", i, prop.name, prop.major,
                                       prop.minor, prop.totalGlobalMem / 1073741824.0));
  }
  if (info.devices.empty()) info.no_device_reason = "no CUDA device is visible";
  return info;
}

}  // namespace gaze
