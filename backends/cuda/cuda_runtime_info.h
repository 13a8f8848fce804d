// What the CUDA toolkit linked into this build reports: versions and visible GPUs. Used by
// `gaze info` and by the test suite to decide whether the CUDA cases can run.
#pragma once
#include <string>
#include <vector>

namespace gaze {

struct CudaRuntimeInfo {
  std::string runtime_version;   // "13.0"
  std::string driver_version;    // empty when no driver is installed
  std::string cudnn_version;     // "9.x.y"
  std::string cublas_version;     // the library's, or the headers' when it was not opened
  std::vector<std::string> devices;  // "NVIDIA H100 80GB HBM3 (sm_90, 79.1 GiB)"
  std::string no_device_reason;      // why `devices` is empty
};

// `open_cublas`: open cuBLAS (backends/cuda/cublas_library.h; ~0.5 s) to report the version found
// at run time and check that it loads, rather than the version of the headers gaze was built with.
CudaRuntimeInfo cuda_runtime_info(bool open_cublas);

}  // namespace gaze
