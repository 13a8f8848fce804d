#include "trainers/lib/distributed/allreduce_bench.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "framework/error.h"
#include "gaze/build_config.h"

namespace gaze {

namespace {

double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

AllreduceBenchResult bench_allreduce(Communicator& communicator, int64_t bytes, int64_t bucket_bytes, int iterations) {
  if (bytes < 4 || bucket_bytes < 4 || iterations < 1)
    fail("allreduce-bench: needs at least 4 bytes, buckets of at least 4 bytes and 1 iteration");
  const int64_t count = bytes / 4, bucket_count = std::max<int64_t>(1, bucket_bytes / 4);
  std::vector<float> data(static_cast<size_t>(count), 1.0f);
  AllreduceBenchResult result{.bytes = count * 4, .buckets = (count + bucket_count - 1) / bucket_count, .gaze_seconds = 0, .bare_seconds = 0};
  std::vector<double> times;
  for (int i = 0; i < iterations + 1; ++i) {  // the first is a warm-up
    communicator.barrier();
    const auto start = std::chrono::steady_clock::now();
    for (int64_t first = 0; first < count; first += bucket_count)
      communicator.allreduce_async(data.data() + first, std::min(bucket_count, count - first), DType::f32, ReduceOp::mean);
    communicator.wait_all();
    if (i > 0) times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  result.gaze_seconds = median_of(times);
#if GAZE_HAVE_MPI
  if (communicator.size() > 1) result.bare_seconds = time_bare_mpi_allreduce(data.data(), count, iterations);
#endif
  return result;
}

}  // namespace gaze
