// The thread pool's denormal mode: a product that underflows, computed on every OpenMP thread,
// is exactly zero when flushing and the true denormal when not.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "backends/threads.h"
#include "gaze/build_config.h"

#if GAZE_HAVE_OPENMP
#include <omp.h>
#endif

namespace {

// tiny·0.5 on each thread of the pool (1e-39 is denormal: below FLT_MIN ~1.18e-38).
std::vector<float> products_on_each_thread() {
  std::vector<float> out(static_cast<size_t>(gaze::num_threads()), -1.0f);
#if GAZE_HAVE_OPENMP
#pragma omp parallel num_threads(gaze::num_threads())
  {
    volatile float tiny = 1e-39f, half = 0.5f;
    out[static_cast<size_t>(omp_get_thread_num())] = tiny * half;
  }
#else
  volatile float tiny = 1e-39f, half = 0.5f;
  out[0] = tiny * half;
#endif
  return out;
}

}  // namespace

#if defined(__SSE2__)
TEST_CASE("denormal floats are flushed to zero on every pool thread, and kept when asked") {
  const int saved_threads = gaze::num_threads();
  const bool saved = gaze::flush_denormals();
  gaze::set_num_threads(2);

  gaze::set_flush_denormals(false);
  for (float v : products_on_each_thread()) CHECK(v == doctest::Approx(5e-40f).epsilon(0.01));
  CHECK(std::string(gaze::denormals_description()).find("kept") == 0);

  gaze::set_flush_denormals(true);
  for (float v : products_on_each_thread()) CHECK(v == 0.0f);
  CHECK(std::string(gaze::denormals_description()).find("flushed") == 0);

  gaze::set_num_threads(3);  // a pool that grows gives its new thread the mode too
  for (float v : products_on_each_thread()) CHECK(v == 0.0f);

  gaze::set_num_threads(saved_threads);
  gaze::set_flush_denormals(saved);
}
#endif
