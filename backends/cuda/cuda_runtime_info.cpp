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

}  // namespace

CudaRuntimeInfo cuda_runtime_info() {
  CudaRuntimeInfo info;
  int runtime = 0, driver = 0;
  if (cudaRuntimeGetVersion(&runtime) == cudaSuccess) info.runtime_version = cuda_version_string(runtime);
  if (cudaDriverGetVersion(&driver) == cudaSuccess && driver > 0) info.driver_version = cuda_version_string(driver);
  size_t cudnn = cudnnGetVersion();
  info.cudnn_version = fmt::format("{}.{}.{}", cudnn / 10000, (cudnn % 10000) / 100, cudnn % 100);
  try {  // cuBLAS is opened on first use (backends/cuda/cublas_library.h); a missing one is reported, not fatal
    const cuda::CublasLibrary& cublas = cuda::cublas_library();
    int major = 0, minor = 0, patch = 0;
    if (cublas.get_property(MAJOR_VERSION, &major) == CUBLAS_STATUS_SUCCESS) {
      cublas.get_property(MINOR_VERSION, &minor);
      cublas.get_property(PATCH_LEVEL, &patch);
      info.cublas_version = fmt::format("{}.{}.{}", major, minor, patch);
    }
  } catch (const Error& e) {
    info.cublas_version = fmt::format("not loaded: {}", e.what());
  }
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
