#include "backends/build_info.h"

#include <fmt/format.h>

#include <thread>

#include "backends/openblas_core.h"
#include "backends/threads.h"
#include "framework/device_memory.h"
#include "gaze/build_config.h"

#if GAZE_HAVE_OPENBLAS
#include <cblas.h>
#endif
#if GAZE_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.h>

#include "backends/onednn/conv_algorithm.h"
#endif
#if GAZE_HAVE_CUDA
#include "backends/cuda/cuda_runtime_info.h"
#endif

namespace gaze {

BuildInfo build_info(bool open_on_demand_libraries) {
  BuildInfo info;
  info.version = GAZE_VERSION;
  info.commit = GAZE_GIT_COMMIT;
  info.build_type = GAZE_BUILD_TYPE;
#if defined(__clang__)
  info.compiler = fmt::format("clang {}.{}.{}", __clang_major__, __clang_minor__, __clang_patchlevel__);
#elif defined(__GNUC__)
  info.compiler = fmt::format("gcc {}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
#else
  info.compiler = "unknown";
#endif
  info.libraries.push_back({"fmt", fmt::format("{}.{}.{}", FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100)});
#if GAZE_HAVE_OPENBLAS
  info.libraries.push_back({"OpenBLAS", openblas_get_config()});
  info.libraries.push_back({"OpenBLAS core", openblas_core_description()});
#else
  info.libraries.push_back({"OpenBLAS", "not built (GAZE_WITH_OPENBLAS off or libopenblas-openmp-dev missing)"});
#endif
#if GAZE_HAVE_ONEDNN
  const dnnl_version_t* v = dnnl_version();
  info.libraries.push_back({"oneDNN", fmt::format("{}.{}.{} ({})", v->major, v->minor, v->patch, v->hash)});
  info.libraries.push_back({"oneDNN convs", onednn::conv_algorithm_description()});
#else
  info.libraries.push_back({"oneDNN", "not built (GAZE_WITH_ONEDNN off or libdnnl-dev missing)"});
#endif
  info.libraries.push_back({"denormals", denormals_description()});
  info.devices.push_back(fmt::format("cpu ({} hardware threads)", std::thread::hardware_concurrency()));
#if GAZE_HAVE_CUDA
  CudaRuntimeInfo cuda = cuda_runtime_info(open_on_demand_libraries);
  info.libraries.push_back({"CUDA runtime", cuda.runtime_version});
  info.libraries.push_back({"CUDA driver", cuda.driver_version.empty() ? "none installed" : cuda.driver_version});
  info.libraries.push_back({"cuBLAS", cuda.cublas_version});
  info.libraries.push_back({"cuDNN", cuda.cudnn_version});
  for (const auto& device : cuda.devices) info.devices.push_back(device);
  info.cuda_status = cuda.no_device_reason;
#else
  (void)open_on_demand_libraries;
  info.libraries.push_back({"CUDA", "not built"});
  info.cuda_status = gpu_memory().unavailable_reason();
#endif
  return info;
}

}  // namespace gaze
