#include "trainers/lib/distributed/mpi_communicator.h"

#include "gaze/build_config.h"

#if GAZE_HAVE_MPI
#include <fmt/format.h>
#include <mpi.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <limits>
#include <mutex>

#include "framework/error.h"
#include "trainers/lib/distributed/allreduce_bench.h"

namespace gaze {

namespace {

void check_mpi(int status, const char* call) {
  if (status == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(status, text, &length);
  fail("{} failed: {}", call, std::string(text, length));
}

MPI_Datatype mpi_type(DType dtype) {
  if (dtype == DType::f32) return MPI_FLOAT;
  if (dtype == DType::f64) return MPI_DOUBLE;
  fail("MPI collectives take f32 or f64 data, not {}", dtype_name(dtype));
}

int mpi_count(int64_t count) {
  if (count < 0 || count > std::numeric_limits<int>::max())
    fail("MPI collective of {} elements: more than MPI's int count allows; use smaller buckets (train.bucket_mb)", count);
  return static_cast<int>(count);
}

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator() {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized) {
      int provided = 0;
      check_mpi(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided), "MPI_Init_thread");
      if (provided < MPI_THREAD_SERIALIZED)
        fail("the MPI library provides thread level {}, and gaze's communication thread needs MPI_THREAD_SERIALIZED", provided);
      owns_init_ = true;
    }
    // Errors come back as statuses, which check_mpi() turns into gaze::Error naming the call.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    check_mpi(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
    check_mpi(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
    MPI_Comm local;
    check_mpi(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local), "MPI_Comm_split_type");
    check_mpi(MPI_Comm_rank(local, &local_rank_), "MPI_Comm_rank (local)");
    check_mpi(MPI_Comm_size(local, &local_size_), "MPI_Comm_size (local)");
    MPI_Comm_free(&local);
  }

  ~MpiCommunicator() override {
    stop_communication_thread();
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (owns_init_ && !finalized) MPI_Finalize();
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int local_rank() const override { return local_rank_; }
  int local_size() const override { return local_size_; }
  std::string description() const override {
    return fmt::format("{}, {} ranks ({} on this machine)", mpi_version_string(), size_, local_size_);
  }

  void broadcast(void* data, int64_t count, DType dtype, int root) override {
    std::lock_guard<std::mutex> lock(mutex_);
    check_mpi(MPI_Bcast(data, mpi_count(count), mpi_type(dtype), root, MPI_COMM_WORLD), "MPI_Bcast");
  }

  void allreduce(void* data, int64_t count, DType dtype, ReduceOp op) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      const MPI_Op mpi_op = op == ReduceOp::max ? MPI_MAX : op == ReduceOp::min ? MPI_MIN : MPI_SUM;
      check_mpi(MPI_Allreduce(MPI_IN_PLACE, data, mpi_count(count), mpi_type(dtype), mpi_op, MPI_COMM_WORLD), "MPI_Allreduce");
    }
    if (op == ReduceOp::mean) {
      // The sum divided by the ranks (MPI has no mean); every rank computes the same quotient.
      if (dtype == DType::f32) {
        float* values = static_cast<float*>(data);
        const float scale = 1.0f / static_cast<float>(size_);
        for (int64_t i = 0; i < count; ++i) values[i] *= scale;
      } else {
        double* values = static_cast<double*>(data);
        const double scale = 1.0 / size_;
        for (int64_t i = 0; i < count; ++i) values[i] *= scale;
      }
    }
  }

  void barrier() override {
    std::lock_guard<std::mutex> lock(mutex_);
    check_mpi(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
  }

  [[noreturn]] void abort(int status) override {
    std::fflush(stdout);
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, status);
    std::_Exit(status);  // MPI_Abort does not return; this satisfies [[noreturn]]
  }

 private:
  std::mutex mutex_;  // MPI_THREAD_SERIALIZED: one call at a time
  int rank_ = 0, size_ = 1, local_rank_ = 0, local_size_ = 1;
  bool owns_init_ = false;
};

}  // namespace

std::unique_ptr<Communicator> make_mpi_communicator() { return std::make_unique<MpiCommunicator>(); }

double time_bare_mpi_allreduce(float* data, int64_t count, int iterations) {
  std::vector<double> times;
  for (int i = 0; i < iterations + 1; ++i) {  // the first is a warm-up
    MPI_Barrier(MPI_COMM_WORLD);
    const double start = MPI_Wtime();
    check_mpi(MPI_Allreduce(MPI_IN_PLACE, data, mpi_count(count), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce");
    if (i > 0) times.push_back(MPI_Wtime() - start);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

std::string mpi_version_string() {
  char text[MPI_MAX_LIBRARY_VERSION_STRING];
  int length = 0;
  MPI_Get_library_version(text, &length);
  std::string version(text, length);
  const size_t end = version.find_first_of(",\n");
  return end == std::string::npos ? version : version.substr(0, end);
}

}  // namespace gaze

#endif  // GAZE_HAVE_MPI
