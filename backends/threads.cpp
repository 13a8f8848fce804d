#include "backends/threads.h"

#include <cstdlib>
#include <string>
#include <thread>

#include "framework/error.h"
#include "gaze/build_config.h"

#if GAZE_HAVE_OPENMP
#include <omp.h>
#endif
#if GAZE_HAVE_OPENBLAS
#include <cblas.h>
#endif

namespace gaze {
namespace {

int initial_threads() {
  if (const char* env = std::getenv("GAZE_NUM_THREADS"); env != nullptr && *env != '\0') {
    char* end = nullptr;
    long n = std::strtol(env, &end, 10);
    if (*end != '\0' || n < 1 || n > 1024)
      fail("GAZE_NUM_THREADS={} is not a thread count; give a whole number from 1 to 1024", env);
    return static_cast<int>(n);
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

int configured = 0;  // 0: not yet applied

}  // namespace

void set_num_threads(int n) {
  if (n < 1) fail("threads: {} is not a thread count; give 1 or more", n);
#if GAZE_HAVE_OPENMP
  omp_set_num_threads(n);
#endif
#if GAZE_HAVE_OPENBLAS
  openblas_set_num_threads(n);
#endif
  configured = n;
}

int num_threads() {
  if (configured == 0) set_num_threads(initial_threads());
  return configured;
}

}  // namespace gaze
