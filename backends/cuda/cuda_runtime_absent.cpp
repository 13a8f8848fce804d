// Built when GAZE_WITH_CUDA is off or the toolkit was not found.
#include "backends/cuda/cuda_runtime_info.h"

namespace gaze {

CudaRuntimeInfo cuda_runtime_info() {
  CudaRuntimeInfo info;
  info.no_device_reason = "this build has no CUDA support (configure with the CUDA toolkit and cuDNN installed)";
  return info;
}

}  // namespace gaze
