// The gradient averaging's achieved bandwidth against the transport's own: `gaze allreduce-bench`
// under mpirun times averaging `bytes` of f32 the way DataParallel does (buckets of bucket_bytes
// through the communication thread, then the division by the ranks) and one bare MPI_Allreduce of
// the same bytes, the physical reference.
#pragma once
#include <cstdint>
#include <string>

#include "trainers/lib/distributed/communicator.h"

namespace gaze {

struct AllreduceBenchResult {
  int64_t bytes = 0, buckets = 0;
  double gaze_seconds = 0;  // median of the iterations
  double bare_seconds = 0;  // median; 0 where MPI is not built
};

AllreduceBenchResult bench_allreduce(Communicator& communicator, int64_t bytes, int64_t bucket_bytes, int iterations);

// The median time of `iterations` bare MPI_Allreduce(MPI_IN_PLACE, MPI_SUM) of `count` floats on
// MPI_COMM_WORLD, after a barrier each (mpi_communicator.cpp).
double time_bare_mpi_allreduce(float* data, int64_t count, int iterations);

}  // namespace gaze
