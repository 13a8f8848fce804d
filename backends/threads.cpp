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
#if defined(__SSE2__)
#include <pmmintrin.h>
#include <xmmintrin.h>
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

bool initial_flush_denormals() {
  const char* env = std::getenv("GAZE_FLUSH_DENORMALS");
  if (env == nullptr || *env == '\0') return true;
  const std::string v = env;
  if (v == "1") return true;
  if (v == "0") return false;
  fail("GAZE_FLUSH_DENORMALS={} is not 0 or 1; give 0 to keep denormal floats, 1 (the default) to flush them", env);
}

bool flushing = true;

// Sets the calling thread's mode.
void apply_denormal_mode(bool on) {
#if defined(__SSE2__)
  _MM_SET_FLUSH_ZERO_MODE(on ? _MM_FLUSH_ZERO_ON : _MM_FLUSH_ZERO_OFF);
  _MM_SET_DENORMALS_ZERO_MODE(on ? _MM_DENORMALS_ZERO_ON : _MM_DENORMALS_ZERO_OFF);
#else
  (void)on;
#endif
}

// The mode in the calling thread and in each thread of the OpenMP pool (which OpenBLAS and oneDNN
// share): each thread has its own MXCSR.
void apply_denormal_mode_everywhere(bool on) {
  apply_denormal_mode(on);
#if GAZE_HAVE_OPENMP
#pragma omp parallel
  apply_denormal_mode(on);
#endif
}

}  // namespace

void set_num_threads(int n) {
  if (n < 1) fail("threads: {} is not a thread count; give 1 or more", n);
#if GAZE_HAVE_OPENMP
  omp_set_num_threads(n);
#endif
#if GAZE_HAVE_OPENBLAS
  openblas_set_num_threads(n);
#endif
  const bool first = configured == 0;
  configured = n;
  if (first) flushing = initial_flush_denormals();
  apply_denormal_mode_everywhere(flushing);  // the pool may have grown
}

int num_threads() {
  if (configured == 0) set_num_threads(initial_threads());
  return configured;
}

void set_flush_denormals(bool on) {
  num_threads();  // the pool exists and GAZE_FLUSH_DENORMALS has been read
  flushing = on;
  apply_denormal_mode_everywhere(on);
}

bool flush_denormals() {
  num_threads();
  return flushing;
}

const char* denormals_description() {
#if defined(__SSE2__)
  return flush_denormals() ? "flushed to zero (FTZ/DAZ; GAZE_FLUSH_DENORMALS=0 keeps them)"
                           : "kept (GAZE_FLUSH_DENORMALS=0; slow arithmetic on values below ~1.2e-38)";
#else
  return "kept (no flush-to-zero control on this CPU architecture)";
#endif
}

}  // namespace gaze
