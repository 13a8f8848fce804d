// The backends this build has, announced to the framework's registry (framework/backend_registry.h)
// at static initialization: the one place that names them. The CPU backends are ranked fastest
// first; each factory applies the thread count (threads.h) before making its backend, so
// GAZE_NUM_THREADS governs every pool before any kernel runs. The CUDA backend also gives the
// framework its device memory (framework/device_memory.h).
//
// Nothing in this file is called by name, so the linker would drop it from a static library:
// the build links gaze_backends whole (CMakeLists.txt's WHOLE_ARCHIVE).
#include <memory>

#include "backends/reference/reference_backend.h"
#include "backends/threads.h"
#include "framework/backend_registry.h"
#include "gaze/build_config.h"
#if GAZE_HAVE_OPENBLAS
#include "backends/openblas/openblas_backend.h"
#endif
#if GAZE_HAVE_ONEDNN
#include "backends/onednn/onednn_backend.h"
#endif
#if GAZE_HAVE_CUDA
#include "backends/cuda/cuda_backend.h"
#include "backends/cuda/cuda_memory.h"
#endif

namespace gaze {
namespace {

bool announce_builtin_backends() {
  add_builtin_cpu_backend(10, [] {
    num_threads();
    return std::make_unique<ReferenceBackend>();
  });
#if GAZE_HAVE_OPENBLAS
  add_builtin_cpu_backend(20, [] {
    num_threads();
    return std::make_unique<OpenblasBackend>();
  });
#endif
#if GAZE_HAVE_ONEDNN
  add_builtin_cpu_backend(30, [] {
    num_threads();
    return std::make_unique<OnednnBackend>();
  });
#endif
#if GAZE_HAVE_CUDA
  add_builtin_gpu_backend([] { return std::make_unique<CudaBackend>(); });
  register_gpu_memory(cuda::cuda_device_memory());
#endif
  return true;
}

const bool announced = announce_builtin_backends();

}  // namespace
}  // namespace gaze
